using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q4_K and Q6_K kernels with 512-bit integer work (AVX-512 F/BW/DQ/VL): the integer lane sums are reorganised, the float
/// operations are not. A 512-bit register holds two 32-element groups of a super-block side by side (the low and high
/// nibbles of one Q4_K 32-byte run; two consecutive Q6_K parts), each half with the AVX2 kernel's int32 lane structure
/// (lane l sums elements 4l..4l+3 of its group), so adding the halves gives the AVX2 kernel's exact int32 lanes; from there
/// the conversion to float, the FMAs by d, the min term and the horizontal sums are the AVX2 kernel's, in its order. Hence
/// every kernel here is bit-identical to <see cref="Q4KSimd"/> / <see cref="Q6KSimd"/> and the scalar twins.
/// The gain: one broadcast load and one variable shift split a 32-byte nibble run into both halves (no cross-lane
/// shuffle), one <c>vpermw</c> per 64 elements builds the scale words (the AVX2 kernel needs one <c>vpshufb</c> per 32),
/// the Q4_K scales and mins are unpacked with vector operations, and the activation-only terms are shared by all rows.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>
    /// Four Q4_K rows against one Q8_K row with 512-bit integer work: per row bit-identical to <see cref="Q4KSimd"/>. The
    /// scales and mins of the four rows are unpacked together (one row per 128-bit lane), and two rows share each float
    /// register (row pairs in the halves; the min terms in lanes 0..3 and 8..11), so every float lane sees
    /// <see cref="Q4KSimd"/>'s operations.
    /// </summary>
    internal static void Q4KRows4Avx512(byte* w, long rowStride, byte* x, int n, float* y)
    {
        Vector512<float> acc01 = default, acc23 = default, min01 = default, min23 = default;
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        var prefetch = new GroupPrefetch(w, 4 * rowStride);
        for (var b = 0; b < n / 256; b++)
        {
            prefetch.Step(4 * Q4KBytes);
            var yd = *(float*)x;
            var negYd = -yd;
            var q8 = (sbyte*)(x + 4);
            // The pair sums in the first and third 128-bit lanes, zero in the others: one madd gives two rows' min products.
            var pairSums = PairSums(x);
            var pairSums2 = Vector512.Create(Vector256.Create(pairSums, Vector128<short>.Zero), Vector256.Create(pairSums, Vector128<short>.Zero));
            Q4KMinsAndScales4(w0 + 4, w1 + 4, w2 + 4, w3 + 4, out var words01, out var words23);
            var dmin01 = Vector512.Create(Vector256.Create(negYd * Float16.ToSingle(*(ushort*)(w0 + 2))), Vector256.Create(negYd * Float16.ToSingle(*(ushort*)(w1 + 2))));
            var dmin23 = Vector512.Create(Vector256.Create(negYd * Float16.ToSingle(*(ushort*)(w2 + 2))), Vector256.Create(negYd * Float16.ToSingle(*(ushort*)(w3 + 2))));
            min01 = Avx512F.FusedMultiplyAdd(dmin01, Avx512F.ConvertToVector512Single(Avx512BW.MultiplyAddAdjacent(words01, pairSums2)), min01);
            min23 = Avx512F.FusedMultiplyAdd(dmin23, Avx512F.ConvertToVector512Single(Avx512BW.MultiplyAddAdjacent(words23, pairSums2)), min23);

            var t0 = Q4KRowSums512(w0 + 16, words01, 0, q8);
            var t1 = Q4KRowSums512(w1 + 16, words01, 16, q8);
            var t2 = Q4KRowSums512(w2 + 16, words23, 0, q8);
            var t3 = Q4KRowSums512(w3 + 16, words23, 16, q8);
            var d01 = Vector512.Create(Vector256.Create(yd * Float16.ToSingle(*(ushort*)w0)), Vector256.Create(yd * Float16.ToSingle(*(ushort*)w1)));
            var d23 = Vector512.Create(Vector256.Create(yd * Float16.ToSingle(*(ushort*)w2)), Vector256.Create(yd * Float16.ToSingle(*(ushort*)w3)));
            acc01 = Avx512F.FusedMultiplyAdd(d01, Avx512F.ConvertToVector512Single(FoldHalves(t0, t1)), acc01);
            acc23 = Avx512F.FusedMultiplyAdd(d23, Avx512F.ConvertToVector512Single(FoldHalves(t2, t3)), acc23);
            x += Q8KBytes;
            w0 += Q4KBytes;
            w1 += Q4KBytes;
            w2 += Q4KBytes;
            w3 += Q4KBytes;
        }

        y[0] = HorizontalSum(acc01.GetLower()) + MinTotal(min01.GetLower().GetLower());
        y[1] = HorizontalSum(acc01.GetUpper()) + MinTotal(min01.GetUpper().GetLower());
        y[2] = HorizontalSum(acc23.GetLower()) + MinTotal(min23.GetLower().GetLower());
        y[3] = HorizontalSum(acc23.GetUpper()) + MinTotal(min23.GetUpper().GetLower());
    }

    // One Q4_K super-block's quants of one row against one activation block: the exact int32 lanes, low-nibble half and
    // high-nibble half still apart. The row's scales are words first + 8..15 of the table.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Q4KRowSums512(byte* qs, Vector512<short> table, int first, sbyte* q8)
    {
        var sumi = Avx512BW.MultiplyAddAdjacent(Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(0, first)), Avx512BW.MultiplyAddAdjacent(Nibbles512(qs), Vector512.Load(q8)));
        sumi += Avx512BW.MultiplyAddAdjacent(Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(1, first)), Avx512BW.MultiplyAddAdjacent(Nibbles512(qs + 32), Vector512.Load(q8 + 64)));
        sumi += Avx512BW.MultiplyAddAdjacent(Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(2, first)), Avx512BW.MultiplyAddAdjacent(Nibbles512(qs + 64), Vector512.Load(q8 + 128)));
        return sumi + Avx512BW.MultiplyAddAdjacent(Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(3, first)), Avx512BW.MultiplyAddAdjacent(Nibbles512(qs + 96), Vector512.Load(q8 + 192)));
    }

    /// <summary>
    /// The 12 packed scale/min bytes of four Q4_K blocks unpacked (ggml's utmp shuffle, in vector lanes, one row per
    /// 128-bit lane; each pointer is 4 bytes into its block, and 16 bytes are read): <paramref name="words01"/> holds rows 0
    /// and 1 (words 0..7 mins and 8..15 scales of row 0, then 16..23 and 24..31 of row 1), <paramref name="words23"/> rows 2, 3.
    /// In each lane u = [u0, u1, u2, -]; mins 0..3 = u1 &amp; 0x3f, mins 4..7 = ((u2 &gt;&gt; 4) &amp; 0x0f) | ((u1 &gt;&gt; 6) &amp; 3) &lt;&lt; 4,
    /// scales 0..3 = u0 &amp; 0x3f, scales 4..7 = (u2 &amp; 0x0f) | ((u0 &gt;&gt; 6) &amp; 3) &lt;&lt; 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q4KMinsAndScales4(
        byte* p0, byte* p1, byte* p2, byte* p3, out Vector512<short> words01, out Vector512<short> words23)
    {
        var u = Vector512.Create(
            Vector256.Create(Vector128.Load((uint*)p0), Vector128.Load((uint*)p1)),
            Vector256.Create(Vector128.Load((uint*)p2), Vector128.Load((uint*)p3)));
        var lowParts = Avx512F.Shuffle(u, 0b10_00_10_01);
        var highParts = Avx512F.Shuffle(u, 0b00_00_01_01);
        ref var masks = ref MemoryMarshal.GetReference(Q4KUnpackMasks);
        var lo = Avx512F.ShiftRightLogicalVariable(lowParts, Vector512.LoadUnsafe(ref masks)) & Vector512.LoadUnsafe(ref masks, 16);
        var hi = Avx512F.ShiftRightLogical(highParts, 2) & Vector512.LoadUnsafe(ref masks, 32);
        var bytes = (lo | hi).AsByte();
        words01 = Avx512BW.ConvertToVector512Int16(bytes.GetLower());
        words23 = Avx512BW.ConvertToVector512Int16(bytes.GetUpper());
    }

    /// <summary>
    /// Four Q4_K weight rows × four Q8_K activation rows: each weight super-block is unpacked once for the four activation
    /// rows; every output keeps <see cref="Q4KSimd"/>'s accumulators and order (bit-identical). Output (activation row j,
    /// weight row i) goes to <c>y[j·yStride + i]</c>.
    /// </summary>
    internal static void Q4KRows4x4Avx512(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        // Accumulators: per weight row, activation rows (0,1) and (2,3) in the two halves of a 512-bit register; the min
        // terms of the four activation rows in the four 128-bit lanes of one register.
        Vector512<float> a00 = default, a02 = default, a10 = default, a12 = default, a20 = default, a22 = default, a30 = default, a32 = default;
        Vector512<float> m0 = default, m1 = default, m2 = default, m3 = default;
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        for (var b = 0; b < n / 256; b++)
        {
            float yd0 = *(float*)x0, yd1 = *(float*)x1, yd2 = *(float*)x2, yd3 = *(float*)x3;
            var yd01 = Vector512.Create(Vector256.Create(yd0), Vector256.Create(yd1));
            var yd23 = Vector512.Create(Vector256.Create(yd2), Vector256.Create(yd3));
            var negYd = Vector512.Create(Vector256.Create(Vector128.Create(-yd0), Vector128.Create(-yd1)), Vector256.Create(Vector128.Create(-yd2), Vector128.Create(-yd3)));
            var pairSums = Vector512.Create(
                Vector256.Create(PairSums(x0), PairSums(x1)),
                Vector256.Create(PairSums(x2), PairSums(x3)));
            Q4KMinsAndScales4(w0 + 4, w1 + 4, w2 + 4, w3 + 4, out var words01, out var words23);
            Q4KRowStep4x4(w0, words01, 0, x0, x1, x2, x3, yd01, yd23, negYd, pairSums, ref a00, ref a02, ref m0);
            Q4KRowStep4x4(w1, words01, 16, x0, x1, x2, x3, yd01, yd23, negYd, pairSums, ref a10, ref a12, ref m1);
            Q4KRowStep4x4(w2, words23, 0, x0, x1, x2, x3, yd01, yd23, negYd, pairSums, ref a20, ref a22, ref m2);
            Q4KRowStep4x4(w3, words23, 16, x0, x1, x2, x3, yd01, yd23, negYd, pairSums, ref a30, ref a32, ref m3);
            x0 += Q8KBytes;
            x1 += Q8KBytes;
            x2 += Q8KBytes;
            x3 += Q8KBytes;
            w0 += Q4KBytes;
            w1 += Q4KBytes;
            w2 += Q4KBytes;
            w3 += Q4KBytes;
        }

        StoreQ4K4x4Row(y, yStride, a00, a02, m0);
        StoreQ4K4x4Row(y + 1, yStride, a10, a12, m1);
        StoreQ4K4x4Row(y + 2, yStride, a20, a22, m2);
        StoreQ4K4x4Row(y + 3, yStride, a30, a32, m3);
    }

    /// <summary>
    /// Four Q6_K rows against one Q8_K row with 512-bit integer work: per row bit-identical to <see cref="Q6KSimd"/> (two
    /// rows share each float register, one per half, with the same lanes and order).
    /// </summary>
    internal static void Q6KRows4Avx512(byte* w, long rowStride, byte* x, int n, float* y)
    {
        Vector512<float> acc01 = default, acc23 = default;
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        var prefetch = new GroupPrefetch(w, 4 * rowStride);
        for (var b = 0; b < n / 256; b++)
        {
            prefetch.Step(4 * Q6KBytes);
            var yd = *(float*)x;
            var q8 = (sbyte*)(x + 4);
            var y0 = Vector512.Load(q8);
            var y1 = Vector512.Load(q8 + 64);
            var y2 = Vector512.Load(q8 + 128);
            var y3 = Vector512.Load(q8 + 192);
            // The -32 offset of every weight, as products with the activations: the same for all rows.
            var o0 = Avx512BW.MultiplyAddAdjacent(Q6KOffset, y0);
            var o1 = Avx512BW.MultiplyAddAdjacent(Q6KOffset, y1);
            var o2 = Avx512BW.MultiplyAddAdjacent(Q6KOffset, y2);
            var o3 = Avx512BW.MultiplyAddAdjacent(Q6KOffset, y3);
            var t0 = Q6KSums512(w0, y0, y1, y2, y3, o0, o1, o2, o3);
            var t1 = Q6KSums512(w1, y0, y1, y2, y3, o0, o1, o2, o3);
            var t2 = Q6KSums512(w2, y0, y1, y2, y3, o0, o1, o2, o3);
            var t3 = Q6KSums512(w3, y0, y1, y2, y3, o0, o1, o2, o3);
            var d01 = Vector512.Create(Vector256.Create(yd * Float16.ToSingle(*(ushort*)(w0 + 208))), Vector256.Create(yd * Float16.ToSingle(*(ushort*)(w1 + 208))));
            var d23 = Vector512.Create(Vector256.Create(yd * Float16.ToSingle(*(ushort*)(w2 + 208))), Vector256.Create(yd * Float16.ToSingle(*(ushort*)(w3 + 208))));
            acc01 = Avx512F.FusedMultiplyAdd(d01, Avx512F.ConvertToVector512Single(FoldHalves(t0, t1)), acc01);
            acc23 = Avx512F.FusedMultiplyAdd(d23, Avx512F.ConvertToVector512Single(FoldHalves(t2, t3)), acc23);
            x += Q8KBytes;
            w0 += Q6KBytes;
            w1 += Q6KBytes;
            w2 += Q6KBytes;
            w3 += Q6KBytes;
        }

        y[0] = HorizontalSum(acc01.GetLower());
        y[1] = HorizontalSum(acc01.GetUpper());
        y[2] = HorizontalSum(acc23.GetLower());
        y[3] = HorizontalSum(acc23.GetUpper());
    }

    /// <summary>
    /// Four Q6_K weight rows × four Q8_K activation rows: each weight super-block is unpacked once for the four activation
    /// rows; every output keeps <see cref="Q6KSimd"/>'s accumulator and order (bit-identical). Output (activation row j,
    /// weight row i) goes to <c>y[j·yStride + i]</c>.
    /// </summary>
    internal static void Q6KRows4x4Avx512(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        Vector512<float> a00 = default, a02 = default, a10 = default, a12 = default, a20 = default, a22 = default, a30 = default, a32 = default;
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        // The activation-only offset products of the current super-block (4 activation rows × 4 runs of 64).
        Q6KOffsetProducts scratch = default;
        var offsets = (Vector512<short>*)&scratch;
        for (var b = 0; b < n / 256; b++)
        {
            OffsetProducts(x0, Q6KOffset, offsets);
            OffsetProducts(x1, Q6KOffset, offsets + 4);
            OffsetProducts(x2, Q6KOffset, offsets + 8);
            OffsetProducts(x3, Q6KOffset, offsets + 12);
            var yd01 = Vector512.Create(Vector256.Create(*(float*)x0), Vector256.Create(*(float*)x1));
            var yd23 = Vector512.Create(Vector256.Create(*(float*)x2), Vector256.Create(*(float*)x3));
            Q6KRowStep4x4(w0, x0, x1, x2, x3, yd01, yd23, offsets, ref a00, ref a02);
            Q6KRowStep4x4(w1, x0, x1, x2, x3, yd01, yd23, offsets, ref a10, ref a12);
            Q6KRowStep4x4(w2, x0, x1, x2, x3, yd01, yd23, offsets, ref a20, ref a22);
            Q6KRowStep4x4(w3, x0, x1, x2, x3, yd01, yd23, offsets, ref a30, ref a32);
            x0 += Q8KBytes;
            x1 += Q8KBytes;
            x2 += Q8KBytes;
            x3 += Q8KBytes;
            w0 += Q6KBytes;
            w1 += Q6KBytes;
            w2 += Q6KBytes;
            w3 += Q6KBytes;
        }

        StoreQ6K4x4Row(y, yStride, a00, a02);
        StoreQ6K4x4Row(y + 1, yStride, a10, a12);
        StoreQ6K4x4Row(y + 2, yStride, a20, a22);
        StoreQ6K4x4Row(y + 3, yStride, a30, a32);
    }

    // One Q4_K super-block of one weight row against the blocks of four activation rows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q4KRowStep4x4(
        byte* wb, Vector512<short> table, int first, byte* x0, byte* x1, byte* x2, byte* x3, Vector512<float> yd01, Vector512<float> yd23, Vector512<float> negYd,
        Vector512<short> pairSums,
        ref Vector512<float> acc01, ref Vector512<float> acc23, ref Vector512<float> accMin)
    {
        var dw = Vector512.Create(Float16.ToSingle(*(ushort*)wb));
        var dmin = Vector512.Create(Float16.ToSingle(*(ushort*)(wb + 2)));

        // The min term of the four activation rows at once: the row's eight mins (128-bit lane 0 or 2 of the table, as
        // first is 0 or 16) in every lane; lane group j then holds activation row j's four products.
        var t = table.AsInt32();
        var mins = (first == 0 ? Avx512F.Shuffle4x128(t, t, 0b00_00_00_00) : Avx512F.Shuffle4x128(t, t, 0b10_10_10_10)).AsInt16();
        accMin = Avx512F.FusedMultiplyAdd(negYd * dmin, Avx512F.ConvertToVector512Single(Avx512BW.MultiplyAddAdjacent(mins, pairSums)), accMin);

        var s0 = Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(0, first));
        var s1 = Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(1, first));
        var s2 = Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(2, first));
        var s3 = Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(3, first));
        var qs = wb + 16;
        var n0 = Nibbles512(qs);
        var n1 = Nibbles512(qs + 32);
        var n2 = Nibbles512(qs + 64);
        var n3 = Nibbles512(qs + 96);
        var t0 = Q4KIntSums512(n0, n1, n2, n3, s0, s1, s2, s3, (sbyte*)(x0 + 4));
        var t1 = Q4KIntSums512(n0, n1, n2, n3, s0, s1, s2, s3, (sbyte*)(x1 + 4));
        var t2 = Q4KIntSums512(n0, n1, n2, n3, s0, s1, s2, s3, (sbyte*)(x2 + 4));
        var t3 = Q4KIntSums512(n0, n1, n2, n3, s0, s1, s2, s3, (sbyte*)(x3 + 4));
        acc01 = Avx512F.FusedMultiplyAdd(yd01 * dw, Avx512F.ConvertToVector512Single(FoldHalves(t0, t1)), acc01);
        acc23 = Avx512F.FusedMultiplyAdd(yd23 * dw, Avx512F.ConvertToVector512Single(FoldHalves(t2, t3)), acc23);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Q4KIntSums512(
        Vector512<byte> n0, Vector512<byte> n1, Vector512<byte> n2, Vector512<byte> n3,
        Vector512<short> s0, Vector512<short> s1, Vector512<short> s2, Vector512<short> s3, sbyte* q8)
    {
        var sumi = Avx512BW.MultiplyAddAdjacent(s0, Avx512BW.MultiplyAddAdjacent(n0, Vector512.Load(q8)));
        sumi += Avx512BW.MultiplyAddAdjacent(s1, Avx512BW.MultiplyAddAdjacent(n1, Vector512.Load(q8 + 64)));
        sumi += Avx512BW.MultiplyAddAdjacent(s2, Avx512BW.MultiplyAddAdjacent(n2, Vector512.Load(q8 + 128)));
        return sumi + Avx512BW.MultiplyAddAdjacent(s3, Avx512BW.MultiplyAddAdjacent(n3, Vector512.Load(q8 + 192)));
    }

    // One Q6_K super-block of one row against one activation block, the two halves of the int32 lanes still apart;
    // o0..o3 are the offset products 32·(y_2k + y_2k+1), i0..i3 the scale indexes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Q6KSums512(
        byte* wb, Vector512<sbyte> y0, Vector512<sbyte> y1, Vector512<sbyte> y2, Vector512<sbyte> y3,
        Vector512<short> o0, Vector512<short> o1, Vector512<short> o2, Vector512<short> o3)
    {
        var table = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)(wb + 192))).ToVector512Unsafe();
        Q6KQuants512(wb, 0, out var q01, out var q23);
        var sumi = Avx512BW.MultiplyAddAdjacent(Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(0)), Avx512BW.MultiplyAddAdjacent(q01, y0) - o0);
        sumi += Avx512BW.MultiplyAddAdjacent(Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(1)), Avx512BW.MultiplyAddAdjacent(q23, y1) - o1);
        Q6KQuants512(wb, 1, out q01, out q23);
        sumi += Avx512BW.MultiplyAddAdjacent(Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(2)), Avx512BW.MultiplyAddAdjacent(q01, y2) - o2);
        return sumi + Avx512BW.MultiplyAddAdjacent(Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(3)), Avx512BW.MultiplyAddAdjacent(q23, y3) - o3);
    }

    // One Q6_K super-block of one weight row against the blocks of four activation rows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q6KRowStep4x4(
        byte* wb, byte* x0, byte* x1, byte* x2, byte* x3, Vector512<float> yd01, Vector512<float> yd23, Vector512<short>* offsets,
        ref Vector512<float> acc01, ref Vector512<float> acc23)
    {
        var dw = Vector512.Create(Float16.ToSingle(*(ushort*)(wb + 208)));
        var table = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)(wb + 192))).ToVector512Unsafe();
        var s0 = Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(0));
        var s1 = Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(1));
        var s2 = Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(2));
        var s3 = Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(3));
        Q6KQuants512(wb, 0, out var q0, out var q1);
        Q6KQuants512(wb, 1, out var q2, out var q3);
        var t0 = Q6KIntSums512(q0, q1, q2, q3, s0, s1, s2, s3, (sbyte*)(x0 + 4), offsets);
        var t1 = Q6KIntSums512(q0, q1, q2, q3, s0, s1, s2, s3, (sbyte*)(x1 + 4), offsets + 4);
        var t2 = Q6KIntSums512(q0, q1, q2, q3, s0, s1, s2, s3, (sbyte*)(x2 + 4), offsets + 8);
        var t3 = Q6KIntSums512(q0, q1, q2, q3, s0, s1, s2, s3, (sbyte*)(x3 + 4), offsets + 12);
        acc01 = Avx512F.FusedMultiplyAdd(yd01 * dw, Avx512F.ConvertToVector512Single(FoldHalves(t0, t1)), acc01);
        acc23 = Avx512F.FusedMultiplyAdd(yd23 * dw, Avx512F.ConvertToVector512Single(FoldHalves(t2, t3)), acc23);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Q6KIntSums512(
        Vector512<byte> q0, Vector512<byte> q1, Vector512<byte> q2, Vector512<byte> q3,
        Vector512<short> s0, Vector512<short> s1, Vector512<short> s2, Vector512<short> s3, sbyte* q8, Vector512<short>* offsets)
    {
        var sumi = Avx512BW.MultiplyAddAdjacent(s0, Avx512BW.MultiplyAddAdjacent(q0, Vector512.Load(q8)) - offsets[0]);
        sumi += Avx512BW.MultiplyAddAdjacent(s1, Avx512BW.MultiplyAddAdjacent(q1, Vector512.Load(q8 + 64)) - offsets[1]);
        sumi += Avx512BW.MultiplyAddAdjacent(s2, Avx512BW.MultiplyAddAdjacent(q2, Vector512.Load(q8 + 128)) - offsets[2]);
        return sumi + Avx512BW.MultiplyAddAdjacent(s3, Avx512BW.MultiplyAddAdjacent(q3, Vector512.Load(q8 + 192)) - offsets[3]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OffsetProducts(byte* xb, Vector512<byte> offset, Vector512<short>* o)
    {
        var q8 = (sbyte*)(xb + 4);
        o[0] = Avx512BW.MultiplyAddAdjacent(offset, Vector512.Load(q8));
        o[1] = Avx512BW.MultiplyAddAdjacent(offset, Vector512.Load(q8 + 64));
        o[2] = Avx512BW.MultiplyAddAdjacent(offset, Vector512.Load(q8 + 128));
        o[3] = Avx512BW.MultiplyAddAdjacent(offset, Vector512.Load(q8 + 192));
    }

    /// <summary>
    /// The 6-bit quants of one half (128 elements) of a Q6_K block as two registers of 64: <paramref name="q01"/> holds
    /// parts 0 and 1 (ggml's q4_0/q4_1: low nibbles of ql[0..63] with qh bits 0-1 / 2-3), <paramref name="q23"/> parts 2
    /// and 3 (high nibbles with qh bits 4-5 / 6-7), matching the activations at 128·half + 0..63 and + 64..127.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q6KQuants512(byte* wb, int half, out Vector512<byte> q01, out Vector512<byte> q23)
    {
        var bits = Vector512.Load(wb + (64 * half));
        var hbits = BroadcastRun(wb + 128 + (32 * half));
        // Shifts of 64-bit lanes: after the 0x30 mask only the wanted two bits of each byte remain.
        var h01 = Avx512F.ShiftLeftLogicalVariable(hbits, Vector512.Create(4ul, 4ul, 4ul, 4ul, 2ul, 2ul, 2ul, 2ul)).AsByte() & Vector512.Create((byte)0x30);
        var h23 = Avx512F.ShiftRightLogicalVariable(hbits, Vector512.Create(0ul, 0ul, 0ul, 0ul, 2ul, 2ul, 2ul, 2ul)).AsByte() & Vector512.Create((byte)0x30);
        q01 = (bits & Vector512.Create((byte)0x0F)) | h01;
        q23 = (Avx512BW.ShiftRightLogical(bits.AsUInt16(), 4).AsByte() & Vector512.Create((byte)0x0F)) | h23;
    }

    /// <summary>
    /// 32 bytes loaded into both halves of a register (<c>vbroadcasti32x8</c>: a load, no shuffle). Not the
    /// <c>Avx512F.BroadcastVector256ToVector512(ulong*)</c> overload: the .NET 10.0.12 JIT mis-encodes its memory operand
    /// (<c>vbroadcasti64x4</c> emitted with a 16-byte operand size, so a compressed displacement reads the wrong address).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> BroadcastRun(byte* p) => Avx512DQ.BroadcastVector256ToVector512((uint*)p).AsUInt64();

    // Two 32-element groups in the halves of one register → split a Q4_K run of 32 bytes into its low nibbles (elements
    // 64j..64j+31) and high nibbles (64j+32..64j+63).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Nibbles512(byte* qs) =>
        Avx512F.ShiftRightLogicalVariable(BroadcastRun(qs), Vector512.Create(0ul, 0ul, 0ul, 0ul, 4ul, 4ul, 4ul, 4ul)).AsByte() & Vector512.Create((byte)0x0F);

    private static Vector512<byte> Q6KOffset => Vector512.Create((byte)32);

    // Word i of the scale register for Q6_K run k (parts 2k, 2k+1 of 32 elements): scale 4k + i/8 (16 elements per scale).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Q6KScaleIndex(int k) =>
        Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(Q6KScaleIndexes), (nuint)(32 * k));

    // Word i of the scale register for Q4_K run j: scale 2j for the low-nibble half (words 0..15), 2j+1 for the high half,
    // with the scales at words first + 8..15 of the table (first = 0 or 16: the first or second row of a pair).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Q4KScaleIndex(int j, int first = 0) =>
        Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(Q4KScaleIndexes), (nuint)((32 * j) + (8 * first)));

    // Constants as data (loads): the JIT neither folds nor hoists a Vector512 assembled from smaller parts, and loop
    // invariants kept in registers would crowd out the accumulators.
    private static ReadOnlySpan<short> Q6KScaleIndexes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
        2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3,
        4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5,
        6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7,
        8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9,
        10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11,
        12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13,
        14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15,
    ];

    private static ReadOnlySpan<short> Q4KScaleIndexes =>
    [
        8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
        9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
        10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,
        11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11,
        12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
        13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13,
        14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
        24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24,
        25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25,
        26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26,
        27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27,
        28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29,
        30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31,
    ];

    // Right shifts of [u1, u2, u0, u2] per 128-bit lane, then the masks of the low parts and of the two high bits.
    private static ReadOnlySpan<uint> Q4KUnpackMasks =>
    [
        0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0,
        0, 4, 0, 0, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f,
        0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0, 0x30303030, 0, 0x30303030,
        0, 0x30303030, 0, 0x30303030, 0, 0x30303030, 0, 0x30303030, 0, 0x30303030, 0, 0x30303030,
    ];

    // The pair sums of an activation block's bsums (hadd of its 16 sums of 16), as ggml's q4_K kernel takes them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> PairSums(byte* xb)
    {
        var bsums = Vector256.Load((short*)(xb + 260));
        return Ssse3.HorizontalAdd(bsums.GetLower(), bsums.GetUpper());
    }

    // [lo(a) + hi(a), lo(b) + hi(b)]: the exact 8-lane sums of two activation rows side by side.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> FoldHalves(Vector512<int> a, Vector512<int> b) =>
        Avx512F.Shuffle4x128(a, b, 0b01_00_01_00) + Avx512F.Shuffle4x128(a, b, 0b11_10_11_10);

    private static void StoreQ4K4x4Row(float* y, long yStride, Vector512<float> acc01, Vector512<float> acc23, Vector512<float> mins)
    {
        y[0] = HorizontalSum(acc01.GetLower()) + MinTotal(mins.GetLower().GetLower());
        y[yStride] = HorizontalSum(acc01.GetUpper()) + MinTotal(mins.GetLower().GetUpper());
        y[2 * yStride] = HorizontalSum(acc23.GetLower()) + MinTotal(mins.GetUpper().GetLower());
        y[3 * yStride] = HorizontalSum(acc23.GetUpper()) + MinTotal(mins.GetUpper().GetUpper());
    }

    private static void StoreQ6K4x4Row(float* y, long yStride, Vector512<float> acc01, Vector512<float> acc23)
    {
        y[0] = HorizontalSum(acc01.GetLower());
        y[yStride] = HorizontalSum(acc01.GetUpper());
        y[2 * yStride] = HorizontalSum(acc23.GetLower());
        y[3 * yStride] = HorizontalSum(acc23.GetUpper());
    }
}
