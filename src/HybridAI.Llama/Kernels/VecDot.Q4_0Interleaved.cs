using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q4_0 as llama.cpp's AVX2 build multiplies it after repacking: at load time the CPU backend interleaves Q4_0 weight
/// matrices whose row count is a multiple of 8 (block_q4_0x8, the "CPU_AARCH64" buffer) and multiplies them with
/// ggml_gemv/gemm_q4_0_8x8_q8_0, which keep one float accumulator per output and add, block after block,
/// float(Σ (q-8)·x over the whole block) × (d_w·d_x) with one FMA. No 8-lane split, no horizontal sum.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>Chooses the interleaved-order Q4_0 kernel (one row).</summary>
    public static delegate*<byte*, byte*, int, float> SelectQ4_0Interleaved(bool scalar = false) =>
        !scalar && IsSimdSupported ? &Q4_0InterleavedSimd : &Q4_0InterleavedScalar;

    internal static float Q4_0InterleavedScalar(byte* w, byte* x, int n)
    {
        var acc = 0f;
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q4_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var scale = Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb);
            var qs = wb + 2;
            var qx = (sbyte*)(xb + 2);
            var sum = 0;
            for (var j = 0; j < 16; j++)
            {
                sum += (((qs[j] & 0xF) - 8) * qx[j]) + (((qs[j] >> 4) - 8) * qx[j + 16]);
            }

            acc = MathF.FusedMultiplyAdd(sum, scale, acc);
        }

        return acc;
    }

    internal static float Q4_0InterleavedSimd(byte* w, byte* x, int n)
    {
        var acc = 0f;
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q4_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var scale = Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb);
            var qx = Vector256.Load((sbyte*)(xb + 2));
            var offset = SumsOfFour(Vector256.Create((byte)1), qx) << 3;
            acc = MathF.FusedMultiplyAdd(Vector256.Sum(NibbleIntSums(wb + 2, qx, offset)), scale, acc);
        }

        return acc;
    }

    /// <summary>Four rows in interleaved order: the four block sums are reduced together and accumulated in one 4-lane FMA.</summary>
    internal static void Q4_0InterleavedRows4Simd(byte* w, long rowStride, byte* x, int n, float* y)
    {
        var acc = Vector128<float>.Zero;
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        var prefetch = new GroupPrefetch(w, 4 * rowStride);
        for (var b = 0; b < n / 32; b++)
        {
            prefetch.Step(4 * Q4_0Bytes);

            var xd = Float16.ToSingle(*(ushort*)x);
            var qx = Vector256.Load((sbyte*)(x + 2));
            var offset = SumsOfFour(Vector256.Create((byte)1), qx) << 3;
            var s0 = NibbleIntSums(w0 + 2, qx, offset);
            var s1 = NibbleIntSums(w1 + 2, qx, offset);
            var s2 = NibbleIntSums(w2 + 2, qx, offset);
            var s3 = NibbleIntSums(w3 + 2, qx, offset);
            // Exact integer totals of the four rows: pairwise adds within lanes, then the two 128-bit halves.
            var h = Avx2.HorizontalAdd(Avx2.HorizontalAdd(s0, s1), Avx2.HorizontalAdd(s2, s3));
            var totals = h.GetLower() + h.GetUpper();
            var scales = Vector128.Create(Float16.ToSingle(*(ushort*)w0) * xd, Float16.ToSingle(*(ushort*)w1) * xd,
                Float16.ToSingle(*(ushort*)w2) * xd, Float16.ToSingle(*(ushort*)w3) * xd);
            acc = Fma.MultiplyAdd(Sse2.ConvertToVector128Single(totals), scales, acc);
            x += Q8_0Bytes;
            w0 += Q4_0Bytes;
            w1 += Q4_0Bytes;
            w2 += Q4_0Bytes;
            w3 += Q4_0Bytes;
        }

        acc.Store(y);
    }

    /// <summary>
    /// Four weight rows × four activation rows in interleaved order (the batch path, like llama.cpp's gemm over groups of
    /// four activation rows): each weight block is loaded and unpacked once for the four activation rows; every output
    /// keeps its own accumulator and the same per-block arithmetic as <see cref="Q4_0InterleavedRows4Simd"/>, so the results
    /// are bit-identical. Output (activation row j, weight row i) goes to <c>y[j·yStride + i]</c>.
    /// </summary>
    internal static void Q4_0InterleavedRows4x4Simd(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        Vector128<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var shifts = Vector256.Create(0u, 0u, 0u, 0u, 4u, 4u, 4u, 4u);
        var mask = Vector256.Create((byte)0x0F);
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        for (var b = 0; b < n / 32; b++)
        {
            var n0 = Avx2.ShiftRightLogicalVariable(Avx2.BroadcastVector128ToVector256(w0 + 2).AsUInt32(), shifts).AsByte() & mask;
            var n1 = Avx2.ShiftRightLogicalVariable(Avx2.BroadcastVector128ToVector256(w1 + 2).AsUInt32(), shifts).AsByte() & mask;
            var n2 = Avx2.ShiftRightLogicalVariable(Avx2.BroadcastVector128ToVector256(w2 + 2).AsUInt32(), shifts).AsByte() & mask;
            var n3 = Avx2.ShiftRightLogicalVariable(Avx2.BroadcastVector128ToVector256(w3 + 2).AsUInt32(), shifts).AsByte() & mask;
            var dw = Vector128.Create(Float16.ToSingle(*(ushort*)w0), Float16.ToSingle(*(ushort*)w1),
                Float16.ToSingle(*(ushort*)w2), Float16.ToSingle(*(ushort*)w3));
            acc0 = BlockStep4(n0, n1, n2, n3, dw, x0, acc0);
            acc1 = BlockStep4(n0, n1, n2, n3, dw, x1, acc1);
            acc2 = BlockStep4(n0, n1, n2, n3, dw, x2, acc2);
            acc3 = BlockStep4(n0, n1, n2, n3, dw, x3, acc3);
            x0 += Q8_0Bytes;
            x1 += Q8_0Bytes;
            x2 += Q8_0Bytes;
            x3 += Q8_0Bytes;
            w0 += Q4_0Bytes;
            w1 += Q4_0Bytes;
            w2 += Q4_0Bytes;
            w3 += Q4_0Bytes;
        }

        acc0.Store(y);
        acc1.Store(y + yStride);
        acc2.Store(y + (2 * yStride));
        acc3.Store(y + (3 * yStride));
    }

    // One activation block against four unpacked weight blocks: exact integer totals, then acc += total · (d_w · d_x) per row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> BlockStep4(
        Vector256<byte> n0, Vector256<byte> n1, Vector256<byte> n2, Vector256<byte> n3, Vector128<float> dw, byte* xb, Vector128<float> acc)
    {
        var xd = Float16.ToSingle(*(ushort*)xb);
        var qx = Vector256.Load((sbyte*)(xb + 2));
        var offset = SumsOfFour(Vector256.Create((byte)1), qx) << 3;
        var s0 = SumsOfFour(n0, qx) - offset;
        var s1 = SumsOfFour(n1, qx) - offset;
        var s2 = SumsOfFour(n2, qx) - offset;
        var s3 = SumsOfFour(n3, qx) - offset;
        var h = Avx2.HorizontalAdd(Avx2.HorizontalAdd(s0, s1), Avx2.HorizontalAdd(s2, s3));
        var totals = h.GetLower() + h.GetUpper();
        return Fma.MultiplyAdd(Sse2.ConvertToVector128Single(totals), dw * Vector128.Create(xd), acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> NibbleIntSums(byte* qs, Vector256<sbyte> qx, Vector256<int> offset)
    {
        // Both halves from one broadcast load (no cross-lane insert): the upper half shifted right by 4 gives the high nibbles.
        var packed = Avx2.BroadcastVector128ToVector256(qs).AsUInt32();
        var nibbles = Avx2.ShiftRightLogicalVariable(packed, Vector256.Create(0u, 0u, 0u, 0u, 4u, 4u, 4u, 4u)).AsByte() & Vector256.Create((byte)0x0F);
        return SumsOfFour(nibbles, qx) - offset;
    }
}
