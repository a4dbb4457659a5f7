using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Four weight rows against one activation row at once: the same per-row arithmetic as the one-row kernels (each row keeps
/// its own accumulator and order, so the results are bit-identical), but four independent FMA chains hide the FMA latency
/// that bounds a single Q8_0/Q4_0 row, and each activation block is loaded once for four rows.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>
    /// Chooses a four-row kernel for <paramref name="weightType"/>, or null when there is none (the float types: they read
    /// one row at a time).
    /// </summary>
    public static delegate*<byte*, long, byte*, int, float*, void> SelectRows4(GgmlType weightType, bool scalar = false)
    {
        if (scalar || !IsSimdSupported)
        {
            return null;
        }

        return weightType switch
        {
            GgmlType.Q8_0 => &Q8_0Rows4Simd,
            GgmlType.Q4_0 => &Q4_0Rows4Simd,
            GgmlType.Q5_0 => &Q5_0Rows4Simd,
            GgmlType.Q4_K => IsAvx512Supported ? &Q4KRows4Avx512 : &Q4KRows4Simd,
            GgmlType.Q5_K => &Q5KRows4Simd,
            GgmlType.Q6_K => IsAvx512Supported ? &Q6KRows4Avx512 : &Q6KRows4Simd,
            _ => null,
        };
    }

    internal static void Q8_0Rows4Simd(byte* w, long rowStride, byte* x, int n, float* y)
    {
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        var prefetch = new GroupPrefetch(w, 4 * rowStride);
        var blocks = n / 32;
        for (var b = 0; b < blocks; b++)
        {
            prefetch.Step(4 * Q8_0Bytes);

            var xd = Float16.ToSingle(*(ushort*)x);
            var qx = Vector256.Load((sbyte*)(x + 2));
            acc0 = Fma.MultiplyAdd(Vector256.Create(Float16.ToSingle(*(ushort*)w0) * xd), SumProducts(Vector256.Load((sbyte*)(w0 + 2)), qx), acc0);
            acc1 = Fma.MultiplyAdd(Vector256.Create(Float16.ToSingle(*(ushort*)w1) * xd), SumProducts(Vector256.Load((sbyte*)(w1 + 2)), qx), acc1);
            acc2 = Fma.MultiplyAdd(Vector256.Create(Float16.ToSingle(*(ushort*)w2) * xd), SumProducts(Vector256.Load((sbyte*)(w2 + 2)), qx), acc2);
            acc3 = Fma.MultiplyAdd(Vector256.Create(Float16.ToSingle(*(ushort*)w3) * xd), SumProducts(Vector256.Load((sbyte*)(w3 + 2)), qx), acc3);
            x += Q8_0Bytes;
            w0 += Q8_0Bytes;
            w1 += Q8_0Bytes;
            w2 += Q8_0Bytes;
            w3 += Q8_0Bytes;
        }

        y[0] = HorizontalSum(acc0);
        y[1] = HorizontalSum(acc1);
        y[2] = HorizontalSum(acc2);
        y[3] = HorizontalSum(acc3);
    }

    internal static void Q4_0Rows4Simd(byte* w, long rowStride, byte* x, int n, float* y) =>
        OffsetRows4Simd<Q4_0Blocks>(w, rowStride, x, n, y);

    /// <summary>
    /// Four weight rows of <typeparamref name="TBlocks"/> × one activation row (AVX2): per row bit-identical to the type's
    /// one-row kernel. Σ (u − o)·x = Σ u·x − o·Σ x per lane of four, with u unsigned (so <c>maddubs</c> is exact without the
    /// sign trick) and o·Σ x computed once per activation block for the four rows.
    /// </summary>
    private static void OffsetRows4Simd<TBlocks>(byte* w, long rowStride, byte* x, int n, float* y)
        where TBlocks : IOffsetBlocks
    {
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        var prefetch = new GroupPrefetch(w, 4 * rowStride);
        var blocks = n / 32;
        for (var b = 0; b < blocks; b++)
        {
            prefetch.Step(4 * TBlocks.BlockBytes);

            var xd = Float16.ToSingle(*(ushort*)x);
            var qx = Vector256.Load((sbyte*)(x + 2));
            var offset = SumsOfFour(Vector256.Create((byte)1), qx) << TBlocks.OffsetShift;
            acc0 = Fma.MultiplyAdd(Vector256.Create(Float16.ToSingle(*(ushort*)w0) * xd), OffsetSums<TBlocks>(w0, qx, offset), acc0);
            acc1 = Fma.MultiplyAdd(Vector256.Create(Float16.ToSingle(*(ushort*)w1) * xd), OffsetSums<TBlocks>(w1, qx, offset), acc1);
            acc2 = Fma.MultiplyAdd(Vector256.Create(Float16.ToSingle(*(ushort*)w2) * xd), OffsetSums<TBlocks>(w2, qx, offset), acc2);
            acc3 = Fma.MultiplyAdd(Vector256.Create(Float16.ToSingle(*(ushort*)w3) * xd), OffsetSums<TBlocks>(w3, qx, offset), acc3);
            x += Q8_0Bytes;
            w0 += TBlocks.BlockBytes;
            w1 += TBlocks.BlockBytes;
            w2 += TBlocks.BlockBytes;
            w3 += TBlocks.BlockBytes;
        }

        y[0] = HorizontalSum(acc0);
        y[1] = HorizontalSum(acc1);
        y[2] = HorizontalSum(acc2);
        y[3] = HorizontalSum(acc3);
    }

    // Lane l: Σ_{e=4l..4l+3} (u_e − o)·x_e for one block, given o·Σ x per lane in offset.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> OffsetSums<TBlocks>(byte* block, Vector256<sbyte> qx, Vector256<int> offset)
        where TBlocks : IOffsetBlocks =>
        Avx.ConvertToVector256Single(SumsOfFour(TBlocks.Unsigned(block), qx) - offset);

    /// <summary>
    /// The 32 four-bit values packed in the 16 bytes at <paramref name="qs"/>, element e in byte e: low nibbles are elements
    /// 0..15, high nibbles 16..31. Both halves come from one broadcast load (no cross-lane insert): the upper half shifted
    /// right by 4 gives the high nibbles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Nibbles32(byte* qs)
    {
        var packed = Avx2.BroadcastVector128ToVector256(qs).AsUInt32();
        return Avx2.ShiftRightLogicalVariable(packed, Vector256.Create(0u, 0u, 0u, 0u, 4u, 4u, 4u, 4u)).AsByte() & Vector256.Create((byte)0x0F);
    }
}
