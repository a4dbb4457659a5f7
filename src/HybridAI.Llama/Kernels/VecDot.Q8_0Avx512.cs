using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q8_0 weights × Q8_0 activations for batches with AVX-512BW, four weight rows × four activation rows. Each output keeps
/// ggml_vec_dot_q8_0_q8_0's arithmetic exactly (see <see cref="Q8_0Scalar"/>): eight float lanes per output, lane l adding
/// float(Σ of products 4l..4l+3) · (d_w·d_x) with one FMA per block, hsum_float_8 at the end. Two weight rows share a
/// 512-bit register (one per 256-bit half), so each instruction works for two outputs; the sign trick
/// (|w| · (x signed like w)), which has no 512-bit <c>vpsignb</c>, becomes one blend of x and −x under w's sign mask, and
/// w's absolute values and sign masks are computed once per block for the four activation rows.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>
    /// Four Q8_0 weight rows × four Q8_0 activation rows: output (activation row j, weight row i) to <c>y[j·yStride + i]</c>,
    /// bit-identical to <see cref="Q8_0Simd"/> on each pair.
    /// </summary>
    internal static void Q8_0Rows4x4Avx512(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        // acc{j}{p}: activation row j, weight rows 2p (lower half) and 2p + 1 (upper half).
        Vector512<float> acc00 = default, acc01 = default, acc10 = default, acc11 = default;
        Vector512<float> acc20 = default, acc21 = default, acc30 = default, acc31 = default;
        var ones = Vector512.Create((short)1);
        var s1 = (nint)rowStride;
        var s2 = (nint)(2 * rowStride);
        var s3 = (nint)(3 * rowStride);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        for (var b = 0; b < n / 32; b++)
        {
            var w01 = LoadPair(w + 2, s1);
            var w23 = LoadPair(w + s2 + 2, s3 - s2);
            var abs01 = Avx512BW.Abs(w01);
            var abs23 = Avx512BW.Abs(w23);
            var neg01 = Vector512.LessThan(w01, Vector512<sbyte>.Zero);
            var neg23 = Vector512.LessThan(w23, Vector512<sbyte>.Zero);
            // d_w of rows 0,1 and 2,3, each broadcast over its 256-bit half.
            var d01 = Vector512.Create(Vector256.Create(Float16.ToSingle(*(ushort*)w)), Vector256.Create(Float16.ToSingle(*(ushort*)(w + s1))));
            var d23 = Vector512.Create(Vector256.Create(Float16.ToSingle(*(ushort*)(w + s2))), Vector256.Create(Float16.ToSingle(*(ushort*)(w + s3))));
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, x0, ones, ref acc00, ref acc01);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, x1, ones, ref acc10, ref acc11);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, x2, ones, ref acc20, ref acc21);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, x3, ones, ref acc30, ref acc31);
            w += Q8_0Bytes;
            x0 += Q8_0Bytes;
            x1 += Q8_0Bytes;
            x2 += Q8_0Bytes;
            x3 += Q8_0Bytes;
        }

        StorePairs(acc00, acc01, y);
        StorePairs(acc10, acc11, y + yStride);
        StorePairs(acc20, acc21, y + (2 * yStride));
        StorePairs(acc30, acc31, y + (3 * yStride));
    }

    /// <summary>
    /// Four Q8_0 weight rows × eight Q8_0 activation rows: as <see cref="Q8_0Rows4x4Avx512"/>, with each weight block's
    /// absolute values, sign masks and scales prepared once for eight activation rows instead of four.
    /// </summary>
    internal static void Q8_0Rows4x8Avx512(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        Vector512<float> acc00 = default, acc01 = default, acc10 = default, acc11 = default;
        Vector512<float> acc20 = default, acc21 = default, acc30 = default, acc31 = default;
        Vector512<float> acc40 = default, acc41 = default, acc50 = default, acc51 = default;
        Vector512<float> acc60 = default, acc61 = default, acc70 = default, acc71 = default;
        var ones = Vector512.Create((short)1);
        var s1 = (nint)rowStride;
        var s2 = (nint)(2 * rowStride);
        var s3 = (nint)(3 * rowStride);
        var xs = (nint)xStride;
        for (var b = 0; b < n / 32; b++)
        {
            var w01 = LoadPair(w + 2, s1);
            var w23 = LoadPair(w + s2 + 2, s3 - s2);
            var abs01 = Avx512BW.Abs(w01);
            var abs23 = Avx512BW.Abs(w23);
            var neg01 = Vector512.LessThan(w01, Vector512<sbyte>.Zero);
            var neg23 = Vector512.LessThan(w23, Vector512<sbyte>.Zero);
            var d01 = Vector512.Create(Vector256.Create(Float16.ToSingle(*(ushort*)w)), Vector256.Create(Float16.ToSingle(*(ushort*)(w + s1))));
            var d23 = Vector512.Create(Vector256.Create(Float16.ToSingle(*(ushort*)(w + s2))), Vector256.Create(Float16.ToSingle(*(ushort*)(w + s3))));
            var xb = x;
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb, ones, ref acc00, ref acc01);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc10, ref acc11);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc20, ref acc21);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc30, ref acc31);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc40, ref acc41);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc50, ref acc51);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc60, ref acc61);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb + xs, ones, ref acc70, ref acc71);
            w += Q8_0Bytes;
            x += Q8_0Bytes;
        }

        StorePairs(acc00, acc01, y);
        StorePairs(acc10, acc11, y + yStride);
        StorePairs(acc20, acc21, y + (2 * yStride));
        StorePairs(acc30, acc31, y + (3 * yStride));
        StorePairs(acc40, acc41, y + (4 * yStride));
        StorePairs(acc50, acc51, y + (5 * yStride));
        StorePairs(acc60, acc61, y + (6 * yStride));
        StorePairs(acc70, acc71, y + (7 * yStride));
    }

    // One activation block against the four weight rows (two pairs).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q8_0PairStep(
        Vector512<byte> abs01, Vector512<sbyte> neg01, Vector512<float> d01, Vector512<byte> abs23, Vector512<sbyte> neg23,
        Vector512<float> d23, byte* xb, Vector512<short> ones, ref Vector512<float> acc01, ref Vector512<float> acc23)
    {
        var qx = Avx512DQ.BroadcastVector256ToVector512((int*)(xb + 2)).AsSByte();
        var negated = Vector512<sbyte>.Zero - qx;
        var dx = Vector512.Create(Float16.ToSingle(*(ushort*)xb));
        var sums01 = Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(abs01, Vector512.ConditionalSelect(neg01, negated, qx)), ones);
        var sums23 = Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(abs23, Vector512.ConditionalSelect(neg23, negated, qx)), ones);
        acc01 = Avx512F.FusedMultiplyAdd(d01 * dx, Avx512F.ConvertToVector512Single(sums01), acc01);
        acc23 = Avx512F.FusedMultiplyAdd(d23 * dx, Avx512F.ConvertToVector512Single(sums23), acc23);
    }

    /// <summary>Two rows' 32 quantized weights of one block, the first row in the lower 256 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> LoadPair(byte* first, nint stride) =>
        Avx512F.InsertVector256(Vector256.Load((sbyte*)first).ToVector512Unsafe(), Vector256.Load((sbyte*)(first + stride)), 1);

    /// <summary>hsum_float_8 of each 256-bit half: rows 0, 1 from <paramref name="a01"/>, rows 2, 3 from <paramref name="a23"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePairs(Vector512<float> a01, Vector512<float> a23, float* y)
    {
        y[0] = HorizontalSum(a01.GetLower());
        y[1] = HorizontalSum(a01.GetUpper());
        y[2] = HorizontalSum(a23.GetLower());
        y[3] = HorizontalSum(a23.GetUpper());
    }
}
