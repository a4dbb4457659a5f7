using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q4_K and Q6_K batch kernels with AVX-512, four weight rows × eight activation rows: each weight super-block is unpacked
/// (nibbles or 6-bit quants, scale words) once for eight activation rows instead of four. Per output the integer lanes,
/// the float lanes and their order are <see cref="Q4KRows4x4Avx512"/>'s / <see cref="Q6KRows4x4Avx512"/>'s, so every
/// output is bit-identical to <see cref="Q4KSimd"/> / <see cref="Q6KSimd"/> and the scalar twins. The accumulators live in
/// a <see cref="Rows4x8Scratch"/> (one load and store per super-block each) so that the unpacked weights keep their registers.
/// The four activation-row pairs of a weight row are written out, not looped over: with a loop (index arithmetic on the
/// scratch per pair) the Q4_K kernel was no faster than the 4×4 one.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>
    /// Four Q4_K weight rows × eight Q8_K activation rows: output (activation row j, weight row i) to
    /// <c>y[j·yStride + i]</c>, bit-identical to <see cref="Q4KSimd"/> on each pair.
    /// </summary>
    internal static void Q4KRows4x8Avx512(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        Rows4x8Scratch scratch = default;
        // acc[4i + p]: weight row i, activation rows 2p, 2p + 1 in the halves; acc[16 + 2i + h]: weight row i's min terms of
        // activation rows 4h..4h + 3 in the 128-bit lanes. Then the current super-block's activation values.
        var acc = (Vector512<float>*)&scratch;
        var ydPairs = acc + 24;
        var negYd = acc + 28;
        var pairSums = (Vector512<short>*)(acc + 30);
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        var xs = (nint)xStride;
        for (var b = 0; b < n / 256; b++)
        {
            for (var h = 0; h < 2; h++)
            {
                var xa = x + (4 * h * xs);
                byte* xb = xa + xs, xc = xa + (2 * xs), xd = xa + (3 * xs);
                float yd0 = *(float*)xa, yd1 = *(float*)xb, yd2 = *(float*)xc, yd3 = *(float*)xd;
                ydPairs[2 * h] = Vector512.Create(Vector256.Create(yd0), Vector256.Create(yd1));
                ydPairs[(2 * h) + 1] = Vector512.Create(Vector256.Create(yd2), Vector256.Create(yd3));
                negYd[h] = Vector512.Create(Vector256.Create(Vector128.Create(-yd0), Vector128.Create(-yd1)), Vector256.Create(Vector128.Create(-yd2), Vector128.Create(-yd3)));
                pairSums[h] = Vector512.Create(Vector256.Create(PairSums(xa), PairSums(xb)), Vector256.Create(PairSums(xc), PairSums(xd)));
            }

            Q4KMinsAndScales4(w0 + 4, w1 + 4, w2 + 4, w3 + 4, out var words01, out var words23);
            Q4KRowStep4x8(w0, words01, 0, (sbyte*)(x + 4), xs, ydPairs, negYd, pairSums, acc, acc + 16);
            Q4KRowStep4x8(w1, words01, 16, (sbyte*)(x + 4), xs, ydPairs, negYd, pairSums, acc + 4, acc + 18);
            Q4KRowStep4x8(w2, words23, 0, (sbyte*)(x + 4), xs, ydPairs, negYd, pairSums, acc + 8, acc + 20);
            Q4KRowStep4x8(w3, words23, 16, (sbyte*)(x + 4), xs, ydPairs, negYd, pairSums, acc + 12, acc + 22);
            x += Q8KBytes;
            w0 += Q4KBytes;
            w1 += Q4KBytes;
            w2 += Q4KBytes;
            w3 += Q4KBytes;
        }

        for (var i = 0; i < 4; i++)
        {
            StoreQ4K4x4Row(y + i, yStride, acc[4 * i], acc[(4 * i) + 1], acc[16 + (2 * i)]);
            StoreQ4K4x4Row(y + (4 * yStride) + i, yStride, acc[(4 * i) + 2], acc[(4 * i) + 3], acc[16 + (2 * i) + 1]);
        }
    }

    /// <summary>
    /// Four Q6_K weight rows × eight Q8_K activation rows: output (activation row j, weight row i) to
    /// <c>y[j·yStride + i]</c>, bit-identical to <see cref="Q6KSimd"/> on each pair.
    /// </summary>
    internal static void Q6KRows4x8Avx512(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        Rows4x8Scratch scratch = default;
        // acc[4i + p]: weight row i, activation rows 2p, 2p + 1 in the halves; then the current super-block's activation
        // values: d of the row pairs, and the offset products (4 registers per activation row).
        var acc = (Vector512<float>*)&scratch;
        var ydPairs = acc + 16;
        var offsets = (Vector512<short>*)(acc + 20);
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        var xs = (nint)xStride;
        for (var b = 0; b < n / 256; b++)
        {
            for (var p = 0; p < 4; p++)
            {
                var xa = x + (2 * p * xs);
                OffsetProducts(xa, Q6KOffset, offsets + (8 * p));
                OffsetProducts(xa + xs, Q6KOffset, offsets + (8 * p) + 4);
                ydPairs[p] = Vector512.Create(Vector256.Create(*(float*)xa), Vector256.Create(*(float*)(xa + xs)));
            }

            Q6KRowStep4x8(w0, (sbyte*)(x + 4), xs, ydPairs, offsets, acc);
            Q6KRowStep4x8(w1, (sbyte*)(x + 4), xs, ydPairs, offsets, acc + 4);
            Q6KRowStep4x8(w2, (sbyte*)(x + 4), xs, ydPairs, offsets, acc + 8);
            Q6KRowStep4x8(w3, (sbyte*)(x + 4), xs, ydPairs, offsets, acc + 12);
            x += Q8KBytes;
            w0 += Q6KBytes;
            w1 += Q6KBytes;
            w2 += Q6KBytes;
            w3 += Q6KBytes;
        }

        for (var i = 0; i < 4; i++)
        {
            StoreQ6K4x4Row(y + i, yStride, acc[4 * i], acc[(4 * i) + 1]);
            StoreQ6K4x4Row(y + (4 * yStride) + i, yStride, acc[(4 * i) + 2], acc[(4 * i) + 3]);
        }
    }

    // One Q4_K super-block of one weight row against the blocks of eight activation rows (q8: the first row's quants).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q4KRowStep4x8(
        byte* wb, Vector512<short> table, int first, sbyte* q8, nint xs, Vector512<float>* ydPairs, Vector512<float>* negYd,
        Vector512<short>* pairSums, Vector512<float>* acc, Vector512<float>* accMin)
    {
        var dw = Vector512.Create(Float16.ToSingle(*(ushort*)wb));
        var dmin = Vector512.Create(Float16.ToSingle(*(ushort*)(wb + 2)));

        // The row's eight mins (128-bit lane 0 or 2 of the table) in every lane, against four activation rows' pair sums.
        var t = table.AsInt32();
        var mins = (first == 0 ? Avx512F.Shuffle4x128(t, t, 0b00_00_00_00) : Avx512F.Shuffle4x128(t, t, 0b10_10_10_10)).AsInt16();
        accMin[0] = Avx512F.FusedMultiplyAdd(negYd[0] * dmin, Avx512F.ConvertToVector512Single(Avx512BW.MultiplyAddAdjacent(mins, pairSums[0])), accMin[0]);
        accMin[1] = Avx512F.FusedMultiplyAdd(negYd[1] * dmin, Avx512F.ConvertToVector512Single(Avx512BW.MultiplyAddAdjacent(mins, pairSums[1])), accMin[1]);

        var s0 = Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(0, first));
        var s1 = Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(1, first));
        var s2 = Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(2, first));
        var s3 = Avx512BW.PermuteVar32x16(table, Q4KScaleIndex(3, first));
        var qs = wb + 16;
        var n0 = Nibbles512(qs);
        var n1 = Nibbles512(qs + 32);
        var n2 = Nibbles512(qs + 64);
        var n3 = Nibbles512(qs + 96);
        Q4KPairStep(n0, n1, n2, n3, s0, s1, s2, s3, q8, xs, ydPairs[0] * dw, acc);
        Q4KPairStep(n0, n1, n2, n3, s0, s1, s2, s3, q8 + (2 * xs), xs, ydPairs[1] * dw, acc + 1);
        Q4KPairStep(n0, n1, n2, n3, s0, s1, s2, s3, q8 + (4 * xs), xs, ydPairs[2] * dw, acc + 2);
        Q4KPairStep(n0, n1, n2, n3, s0, s1, s2, s3, q8 + (6 * xs), xs, ydPairs[3] * dw, acc + 3);
    }

    // Two activation rows (q8, q8 + xs) against one unpacked Q4_K super-block: one accumulator, a row per half.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q4KPairStep(
        Vector512<byte> n0, Vector512<byte> n1, Vector512<byte> n2, Vector512<byte> n3,
        Vector512<short> s0, Vector512<short> s1, Vector512<short> s2, Vector512<short> s3, sbyte* q8, nint xs, Vector512<float> d,
        Vector512<float>* acc)
    {
        var ta = Q4KIntSums512(n0, n1, n2, n3, s0, s1, s2, s3, q8);
        var tb = Q4KIntSums512(n0, n1, n2, n3, s0, s1, s2, s3, q8 + xs);
        *acc = Avx512F.FusedMultiplyAdd(d, Avx512F.ConvertToVector512Single(FoldHalves(ta, tb)), *acc);
    }

    // One Q6_K super-block of one weight row against the blocks of eight activation rows (q8: the first row's quants).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q6KRowStep4x8(byte* wb, sbyte* q8, nint xs, Vector512<float>* ydPairs, Vector512<short>* offsets, Vector512<float>* acc)
    {
        var dw = Vector512.Create(Float16.ToSingle(*(ushort*)(wb + 208)));
        var table = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)(wb + 192))).ToVector512Unsafe();
        var s0 = Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(0));
        var s1 = Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(1));
        var s2 = Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(2));
        var s3 = Avx512BW.PermuteVar32x16(table, Q6KScaleIndex(3));
        Q6KQuants512(wb, 0, out var q0, out var q1);
        Q6KQuants512(wb, 1, out var q2, out var q3);
        Q6KPairStep(q0, q1, q2, q3, s0, s1, s2, s3, q8, xs, offsets, ydPairs[0] * dw, acc);
        Q6KPairStep(q0, q1, q2, q3, s0, s1, s2, s3, q8 + (2 * xs), xs, offsets + 8, ydPairs[1] * dw, acc + 1);
        Q6KPairStep(q0, q1, q2, q3, s0, s1, s2, s3, q8 + (4 * xs), xs, offsets + 16, ydPairs[2] * dw, acc + 2);
        Q6KPairStep(q0, q1, q2, q3, s0, s1, s2, s3, q8 + (6 * xs), xs, offsets + 24, ydPairs[3] * dw, acc + 3);
    }

    // Two activation rows (q8, q8 + xs; their offset products at offsets, offsets + 4) against one unpacked Q6_K super-block.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q6KPairStep(
        Vector512<byte> q0, Vector512<byte> q1, Vector512<byte> q2, Vector512<byte> q3,
        Vector512<short> s0, Vector512<short> s1, Vector512<short> s2, Vector512<short> s3, sbyte* q8, nint xs, Vector512<short>* offsets,
        Vector512<float> d, Vector512<float>* acc)
    {
        var ta = Q6KIntSums512(q0, q1, q2, q3, s0, s1, s2, s3, q8, offsets);
        var tb = Q6KIntSums512(q0, q1, q2, q3, s0, s1, s2, s3, q8 + xs, offsets + 4);
        *acc = Avx512F.FusedMultiplyAdd(d, Avx512F.ConvertToVector512Single(FoldHalves(ta, tb)), *acc);
    }
}
