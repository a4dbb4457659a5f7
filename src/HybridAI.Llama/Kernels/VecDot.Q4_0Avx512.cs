using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q4_0 in llama.cpp's repacked (interleaved) order, eight weight rows at a time with AVX-512BW. The float arithmetic is
/// that of <see cref="Q4_0InterleavedScalar"/> row by row: per block one exact integer total, one rounded scale product
/// d_w·d_x and one FMA into the row's accumulator, so the results are bit-identical. What changes is the integer work,
/// where order is free:
/// <list type="bullet">
/// <item>Four rows share one 512-bit register, one row's 16 packed bytes per 128-bit lane: the low nibbles are the row's
/// first 16 elements and the high nibbles its last 16, so the activation's two halves are broadcast once to all four lanes
/// and every instruction works for four rows (no per-row broadcast or cross-lane shift).</item>
/// <item>The −8 of every nibble is one subtraction of 8·Σx per block, shared by all rows.</item>
/// <item>Eight rows' lane sums are reduced together by one transposing reduction (two unpacks, one shuffle, one permute)
/// instead of horizontal adds per row.</item>
/// <item>The eight F16 scales are widened together by integer arithmetic (exact for every F16 value).</item>
/// </list>
/// The accumulator lanes hold rows in the order 0, 4, 1, 5, 2, 6, 3, 7 (the reduction's natural order) until the store.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>Gets whether the eight-row AVX-512 Q4_0 kernels run on this machine.</summary>
    public static bool IsAvx512Supported => Avx512BW.IsSupported && Avx512F.IsSupported && Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Gets whether rows <paramref name="rowStride"/> bytes apart can be addressed by the eight-row kernels (32-bit offsets).</summary>
    public static bool FitsRows8(long rowStride) => rowStride is > 0 and <= int.MaxValue / 8;

    /// <summary>
    /// Eight rows × one activation row in interleaved order: <c>y[i] = Σ_b total(i, b) · (d_w(i, b) · d_x(b))</c>, block after
    /// block, for rows i = 0..7 starting at <paramref name="w"/>, <paramref name="rowStride"/> bytes apart.
    /// </summary>
    internal static void Q4_0InterleavedRows8Avx512(byte* w, long rowStride, byte* x, int n, float* y)
    {
        var stride = (int)rowStride;
        var acc = Vector256<float>.Zero;
        var ones = Vector512.Create((short)1);
        var onesBytes = Vector512.Create((byte)1);
        var low = Vector512.Create((byte)0x0F);
        var next = w + (8 * rowStride);
        for (var b = 0; b < n / 32; b++)
        {
            // The next eight rows are one contiguous region; walk it at this group's pace (8 × 18 bytes a block).
            Sse.Prefetch0(next);
            Sse.Prefetch0(next + 64);
            Sse.Prefetch0(next + 128);
            next += 8 * Q4_0Bytes;

            var xlo = Avx512F.BroadcastVector128ToVector512((int*)(x + 2)).AsSByte();
            var xhi = Avx512F.BroadcastVector128ToVector512((int*)(x + 18)).AsSByte();
            var offset = ActivationOffset(xlo, xhi, onesBytes);
            var sa = RowSums4(Load4(w + 2, stride), xlo, xhi, offset, low, ones);
            var sb = RowSums4(Load4(w + 2 + (4 * rowStride), stride), xlo, xhi, offset, low, ones);
            var scales = WeightScales8(w, stride) * Vector256.Create(Float16.ToSingle(*(ushort*)x));
            acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Totals8(sa, sb)), scales, acc);
            w += Q4_0Bytes;
            x += Q8_0Bytes;
        }

        StoreRows8(acc, y);
    }

    /// <summary>
    /// Eight weight rows × four activation rows in interleaved order (the batch path): each weight block is unpacked and
    /// its scales widened once for the four activation rows; every output keeps the arithmetic of
    /// <see cref="Q4_0InterleavedRows8Avx512"/>. Output (activation row j, weight row i) goes to <c>y[j·yStride + i]</c>.
    /// </summary>
    internal static void Q4_0InterleavedRows8x4Avx512(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        var stride = (int)rowStride;
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var ones = Vector512.Create((short)1);
        var onesBytes = Vector512.Create((byte)1);
        var low = Vector512.Create((byte)0x0F);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        for (var b = 0; b < n / 32; b++)
        {
            var a = Load4(w + 2, stride);
            var c = Load4(w + 2 + (4 * rowStride), stride);
            var alo = a & low;
            var ahi = Avx512BW.ShiftRightLogical(a.AsUInt16(), 4).AsByte() & low;
            var clo = c & low;
            var chi = Avx512BW.ShiftRightLogical(c.AsUInt16(), 4).AsByte() & low;
            var dw = WeightScales8(w, stride);
            acc0 = BlockStep8(alo, ahi, clo, chi, dw, x0, onesBytes, ones, acc0);
            acc1 = BlockStep8(alo, ahi, clo, chi, dw, x1, onesBytes, ones, acc1);
            acc2 = BlockStep8(alo, ahi, clo, chi, dw, x2, onesBytes, ones, acc2);
            acc3 = BlockStep8(alo, ahi, clo, chi, dw, x3, onesBytes, ones, acc3);
            w += Q4_0Bytes;
            x0 += Q8_0Bytes;
            x1 += Q8_0Bytes;
            x2 += Q8_0Bytes;
            x3 += Q8_0Bytes;
        }

        StoreRows8(acc0, y);
        StoreRows8(acc1, y + yStride);
        StoreRows8(acc2, y + (2 * yStride));
        StoreRows8(acc3, y + (3 * yStride));
    }

    // One activation block against eight unpacked weight blocks (rows 0-3 in lo/hi a, rows 4-7 in c).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> BlockStep8(
        Vector512<byte> alo, Vector512<byte> ahi, Vector512<byte> clo, Vector512<byte> chi, Vector256<float> dw, byte* xb,
        Vector512<byte> onesBytes, Vector512<short> ones, Vector256<float> acc)
    {
        var xlo = Avx512F.BroadcastVector128ToVector512((int*)(xb + 2)).AsSByte();
        var xhi = Avx512F.BroadcastVector128ToVector512((int*)(xb + 18)).AsSByte();
        var offset = ActivationOffset(xlo, xhi, onesBytes);
        var sa = Avx512BW.MultiplyAddAdjacent(
            Avx512BW.MultiplyAddAdjacent(alo, xlo) + Avx512BW.MultiplyAddAdjacent(ahi, xhi) - offset, ones);
        var sb = Avx512BW.MultiplyAddAdjacent(
            Avx512BW.MultiplyAddAdjacent(clo, xlo) + Avx512BW.MultiplyAddAdjacent(chi, xhi) - offset, ones);
        var scales = dw * Vector256.Create(Float16.ToSingle(*(ushort*)xb));
        return Fma.MultiplyAdd(Avx.ConvertToVector256Single(Totals8(sa, sb)), scales, acc);
    }

    /// <summary>Four rows' 16 packed bytes, one row per 128-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Load4(byte* p, int stride) =>
        Vector512.Create(
            Vector256.Create(Vector128.Load(p), Vector128.Load(p + stride)),
            Vector256.Create(Vector128.Load(p + (2 * stride)), Vector128.Load(p + (3 * stride))));

    /// <summary>
    /// 8·(x_i + x_(i+1)) per 16-bit pair of a broadcast block (both halves added): subtracted once, it turns every
    /// Σ nibble·x pair into Σ (nibble − 8)·x. Magnitudes stay under 2^14, so the 16-bit arithmetic is exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> ActivationOffset(Vector512<sbyte> xlo, Vector512<sbyte> xhi, Vector512<byte> onesBytes) =>
        Avx512BW.ShiftLeftLogical(
            Avx512BW.MultiplyAddAdjacent(onesBytes, xlo) + Avx512BW.MultiplyAddAdjacent(onesBytes, xhi), 3);

    /// <summary>Four rows' block sums Σ (q − 8)·x, as four 32-bit partial sums per row (one row per 128-bit lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> RowSums4(
        Vector512<byte> packed, Vector512<sbyte> xlo, Vector512<sbyte> xhi, Vector512<short> offset, Vector512<byte> low,
        Vector512<short> ones)
    {
        var lo = packed & low;
        var hi = Avx512BW.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & low;
        var pairs = Avx512BW.MultiplyAddAdjacent(lo, xlo) + Avx512BW.MultiplyAddAdjacent(hi, xhi) - offset;
        return Avx512BW.MultiplyAddAdjacent(pairs, ones);
    }

    /// <summary>
    /// The exact totals of eight rows from their partial sums (rows 0-3 in <paramref name="sa"/>, 4-7 in <paramref name="sb"/>),
    /// in lane order 0, 4, 1, 5, 2, 6, 3, 7.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Totals8(Vector512<int> sa, Vector512<int> sb)
    {
        // Per 128-bit lane k: [a0+a2, b0+b2, a1+a3, b1+b3], then + its 64-bit swap = [A_k, B_k, A_k, B_k].
        var pairs = Avx512F.UnpackLow(sa, sb) + Avx512F.UnpackHigh(sa, sb);
        var totals = pairs + Avx512F.Shuffle(pairs, 0x4E);
        return Avx512F.PermuteVar16x32(totals, Vector512.Create(0, 1, 4, 5, 8, 9, 12, 13, 0, 1, 4, 5, 8, 9, 12, 13)).GetLower();
    }

    /// <summary>
    /// The F16 scales of the block at <paramref name="w"/> in eight rows <paramref name="stride"/> bytes apart, in accumulator
    /// lane order (rows 0, 4, 1, 5, 2, 6, 3, 7), widened exactly by integer arithmetic: normal values by moving the bits into
    /// float position and rebasing the exponent, subnormals as mantissa · 2^-24, infinities and NaNs rebuilt, then the sign.
    /// No float operation sees a subnormal input (those cost a microcode assist of ~100 cycles each on x64). Eight scalar
    /// loads rather than a gather (gathers are slow on many x64 parts since the microcode mitigations) or a table look-up
    /// (which would pull a 256 KiB table through the cache beside the weights).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> WeightScales8(byte* w, int stride)
    {
        var h = Avx2.ConvertToVector256Int32(Vector128.Create(
            *(ushort*)w, *(ushort*)(w + (4 * stride)), *(ushort*)(w + stride), *(ushort*)(w + (5 * stride)),
            *(ushort*)(w + (2 * stride)), *(ushort*)(w + (6 * stride)), *(ushort*)(w + (3 * stride)), *(ushort*)(w + (7 * stride))));
        var exponent = h & Vector256.Create(0x7C00);
        var mantissa = h & Vector256.Create(0x03FF);
        var normal = Avx2.ShiftLeftLogical(h & Vector256.Create(0x7FFF), 13) + Vector256.Create(112 << 23);
        var subnormal = (Avx.ConvertToVector256Single(mantissa) * Vector256.Create(1.0f / (1 << 24))).AsInt32();
        var infinityOrNaN = Avx2.ShiftLeftLogical(mantissa, 13) | Vector256.Create(0x7F800000);
        var bits = Vector256.ConditionalSelect(
            Vector256.Equals(exponent, Vector256<int>.Zero),
            subnormal,
            Vector256.ConditionalSelect(Vector256.Equals(exponent, Vector256.Create(0x7C00)), infinityOrNaN, normal));
        return (bits | Avx2.ShiftLeftLogical(h & Vector256.Create(0x8000), 16)).AsSingle();
    }

    /// <summary>Stores an accumulator in lane order 0, 4, 1, 5, 2, 6, 3, 7 as rows 0..7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows8(Vector256<float> acc, float* y) =>
        Avx2.PermuteVar8x32(acc, Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7)).Store(y);
}
