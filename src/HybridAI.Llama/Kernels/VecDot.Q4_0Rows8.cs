using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q4_0 in llama.cpp's repacked (interleaved) order, eight weight rows at a time with AVX2: the matrix-vector kernel for
/// CPUs without AVX-512. The float arithmetic is <see cref="Q4_0InterleavedScalar"/>'s row by row (per block one exact
/// integer total, one rounded scale product d_w·d_x, one FMA into the row's accumulator), so the results are bit-identical.
/// The integer work is reorganised as in <see cref="Q4_0InterleavedRows16Avx512"/>:
/// <list type="bullet">
/// <item>Two rows share one 256-bit register, one row's 16 packed bytes per 128-bit lane, so one shift and two masks
/// unpack two rows' nibbles and the activation's halves are broadcast once per block.</item>
/// <item>The eight rows' 16-bit pair sums are reduced by three horizontal adds and one multiply-add, which stays exact in
/// 16 bits: a lane holds at most 16 products of a nibble (≤ 15) and an activation (|x| ≤ 128), 30 720 &lt; 2^15. With
/// AVX-VNNI, <c>vpdpbusd</c> sums the products in 32 bits and three 32-bit horizontal adds give the same totals.</item>
/// <item>The −8 of every nibble is one subtraction of 8·Σx per block, with the activation's nibble offsets
/// (<see cref="ActivationBuffer.NibbleOffsets"/>) computed once when it is quantized.</item>
/// <item>The eight F16 scales are packed in general-purpose registers and widened together exactly, as the type argument
/// says (<see cref="AnyScales"/> or, for matrices with only normal and zero scales, <see cref="NormalScales"/>).</item>
/// </list>
/// The accumulator's lanes hold rows 0, 2, 4, 6, 1, 3, 5, 7 (the reduction's order) until the store puts them back.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>
    /// Eight rows × one activation row in interleaved order: <c>y[i] = Σ_b total(i, b) · (d_w(i, b) · d_x(b))</c>, block after
    /// block, for rows i = 0..7 starting at <paramref name="w"/>, <paramref name="rowStride"/> bytes apart;
    /// <paramref name="offsets"/> holds the activation's nibble offsets (8·Σx per block).
    /// </summary>
    internal static void Q4_0InterleavedRows8Simd<TScales>(byte* w, long rowStride, byte* x, int* offsets, int n, float* y)
        where TScales : struct, IHalfScales
    {
        var acc = Vector256<float>.Zero;
        var low = Vector256.Create((byte)0x0F);
        var s = (nint)rowStride;
        byte* w0 = w, w2 = w + (2 * s), w4 = w + (4 * s), w6 = w + (6 * s);
        var prefetch = new GroupPrefetch(w, 8 * rowStride);
        for (var b = 0; b < n / 32; b++)
        {
            prefetch.Step(8 * Q4_0Bytes);

            var lo01 = RowPairNibbles(w0, s, low, out var hi01);
            var lo23 = RowPairNibbles(w2, s, low, out var hi23);
            var lo45 = RowPairNibbles(w4, s, low, out var hi45);
            var lo67 = RowPairNibbles(w6, s, low, out var hi67);
            acc = BlockStep8(lo01, hi01, lo23, hi23, lo45, hi45, lo67, hi67, Scales8<TScales>(w0, w2, w4, w6, s), x, offsets + b, acc);
            w0 += Q4_0Bytes;
            w2 += Q4_0Bytes;
            w4 += Q4_0Bytes;
            w6 += Q4_0Bytes;
            x += Q8_0Bytes;
        }

        StoreRows8(acc, y);
    }

    /// <summary>
    /// Eight weight rows × four activation rows in interleaved order (the batch path without AVX-512): each weight block is
    /// unpacked and its scales widened once for the four activation rows; every output keeps the arithmetic of
    /// <see cref="Q4_0InterleavedRows8Simd"/>. Output (activation row j, weight row i) goes to <c>y[j·yStride + i]</c>.
    /// </summary>
    internal static void Q4_0InterleavedRows8x4Simd<TScales>(
        byte* w, long rowStride, byte* x, long xStride, int* offsets, int offsetsStride, int n, float* y, long yStride)
        where TScales : struct, IHalfScales
    {
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var low = Vector256.Create((byte)0x0F);
        var s = (nint)rowStride;
        byte* w0 = w, w2 = w + (2 * s), w4 = w + (4 * s), w6 = w + (6 * s);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        int* s0 = offsets, s1 = offsets + offsetsStride, s2 = offsets + (2 * offsetsStride), s3 = offsets + (3 * offsetsStride);
        for (var b = 0; b < n / 32; b++)
        {
            var lo01 = RowPairNibbles(w0, s, low, out var hi01);
            var lo23 = RowPairNibbles(w2, s, low, out var hi23);
            var lo45 = RowPairNibbles(w4, s, low, out var hi45);
            var lo67 = RowPairNibbles(w6, s, low, out var hi67);
            var dw = Scales8<TScales>(w0, w2, w4, w6, s);
            acc0 = BlockStep8(lo01, hi01, lo23, hi23, lo45, hi45, lo67, hi67, dw, x0, s0 + b, acc0);
            acc1 = BlockStep8(lo01, hi01, lo23, hi23, lo45, hi45, lo67, hi67, dw, x1, s1 + b, acc1);
            acc2 = BlockStep8(lo01, hi01, lo23, hi23, lo45, hi45, lo67, hi67, dw, x2, s2 + b, acc2);
            acc3 = BlockStep8(lo01, hi01, lo23, hi23, lo45, hi45, lo67, hi67, dw, x3, s3 + b, acc3);
            w0 += Q4_0Bytes;
            w2 += Q4_0Bytes;
            w4 += Q4_0Bytes;
            w6 += Q4_0Bytes;
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

    /// <summary>
    /// The blocks at <paramref name="block"/> and one row further, one row per 128-bit lane, unpacked: the low nibbles
    /// (elements 0..15) returned, the high nibbles (16..31) in <paramref name="high"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> RowPairNibbles(byte* block, nint rowStride, Vector256<byte> low, out Vector256<byte> high)
    {
        var packed = Vector256.Create(Vector128.Load(block + 2), Vector128.Load(block + rowStride + 2));
        high = (packed.AsUInt16() >> 4).AsByte() & low;
        return packed & low;
    }

    /// <summary>The F16 scales of the blocks at four row pairs' first rows (and one row further), widened exactly, in accumulator order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Scales8<TScales>(byte* w0, byte* w2, byte* w4, byte* w6, nint s)
        where TScales : struct, IHalfScales =>
        TScales.Widen(Vector128.Create(RowGroups.Pack4(w0, w2, w4, w6), RowGroups.Pack4(w0 + s, w2 + s, w4 + s, w6 + s)).AsUInt16());

    /// <summary>
    /// One activation block (its nibble offset 8·Σx at <paramref name="xOffset"/>) against eight unpacked weight blocks, two
    /// rows per register (low nibbles lo, high nibbles hi): the pair sums of each row (eight 16-bit sums of four products per
    /// 128-bit lane) reduced by three horizontal adds and one multiply-add to one exact total per row, in accumulator order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> BlockStep8(
        Vector256<byte> lo01, Vector256<byte> hi01, Vector256<byte> lo23, Vector256<byte> hi23,
        Vector256<byte> lo45, Vector256<byte> hi45, Vector256<byte> lo67, Vector256<byte> hi67,
        Vector256<float> dw, byte* xb, int* xOffset, Vector256<float> acc)
    {
        var xlo = Avx2.BroadcastVector128ToVector256((sbyte*)(xb + 2));
        var xhi = Avx2.BroadcastVector128ToVector256((sbyte*)(xb + 18));
        Vector256<int> totals;
        if (AvxVnni.IsSupported)
        {
            // Four 32-bit sums per row and lane from two vpdpbusd; three horizontal adds leave the same totals in the same order.
            var m01 = AddSumsOfFour(SumsOfFour(lo01, xlo), hi01, xhi);
            var m23 = AddSumsOfFour(SumsOfFour(lo23, xlo), hi23, xhi);
            var m45 = AddSumsOfFour(SumsOfFour(lo45, xlo), hi45, xhi);
            var m67 = AddSumsOfFour(SumsOfFour(lo67, xlo), hi67, xhi);
            totals = Avx2.HorizontalAdd(Avx2.HorizontalAdd(m01, m23), Avx2.HorizontalAdd(m45, m67));
        }
        else
        {
            var m01 = Avx2.MultiplyAddAdjacent(lo01, xlo) + Avx2.MultiplyAddAdjacent(hi01, xhi);
            var m23 = Avx2.MultiplyAddAdjacent(lo23, xlo) + Avx2.MultiplyAddAdjacent(hi23, xhi);
            var m45 = Avx2.MultiplyAddAdjacent(lo45, xlo) + Avx2.MultiplyAddAdjacent(hi45, xhi);
            var m67 = Avx2.MultiplyAddAdjacent(lo67, xlo) + Avx2.MultiplyAddAdjacent(hi67, xhi);
            var h = Avx2.HorizontalAdd(Avx2.HorizontalAdd(m01, m23), Avx2.HorizontalAdd(m45, m67));
            totals = Avx2.MultiplyAddAdjacent(h, Vector256.Create((short)1));
        }

        totals -= Vector256.Create(*xOffset);
        return Fma.MultiplyAdd(Avx.ConvertToVector256Single(totals), dw * Vector256.Create(Float16.ToSingle(*(ushort*)xb)), acc);
    }

    /// <summary>Stores an accumulator in reduction order (rows 0, 2, 4, 6, 1, 3, 5, 7) as rows 0..7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows8(Vector256<float> acc, float* y) =>
        Avx2.PermuteVar8x32(acc, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).Store(y);

    /// <summary>
    /// Eight F16 values (the low 16 bits of each lane, the high bits zero) widened to float exactly by integer arithmetic:
    /// the AVX2 twin of <see cref="WidenHalves(Vector512{int})"/> (no float operation sees a subnormal input).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> WidenHalves(Vector256<int> h)
    {
        var exponent = h & Vector256.Create(0x7C00);
        var mantissa = h & Vector256.Create(0x03FF);
        var normal = Vector256.ShiftLeft(h & Vector256.Create(0x7FFF), 13) + Vector256.Create(112 << 23);
        var subnormal = (Avx.ConvertToVector256Single(mantissa) * Vector256.Create(1.0f / (1 << 24))).AsInt32();
        var infinityOrNaN = Vector256.ShiftLeft(mantissa, 13) | Vector256.Create(0x7F800000);
        var bits = Vector256.ConditionalSelect(
            Vector256.Equals(exponent, Vector256<int>.Zero),
            subnormal,
            Vector256.ConditionalSelect(Vector256.Equals(exponent, Vector256.Create(0x7C00)), infinityOrNaN, normal));
        return (bits | Vector256.ShiftLeft(h & Vector256.Create(0x8000), 16)).AsSingle();
    }
}
