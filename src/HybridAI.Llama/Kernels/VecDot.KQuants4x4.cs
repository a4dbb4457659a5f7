using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// K-quant batch kernels for AVX2 (four weight rows × four activation rows): Q4_K and Q6_K for CPUs without AVX-512, Q5_K
/// for all. Each weight super-block's quants are split into nibbles and its scales unpacked once for the four activation
/// rows, and the activation-only terms (the bsums pair sums, Q6_K's −32 offset products) once for the four weight rows.
/// Every output keeps <see cref="Q4KSimd"/>'s / <see cref="Q5KSimd"/>'s / <see cref="Q6KSimd"/>'s int32 lanes (integer
/// sums, exact in any order), float accumulators and operation order, so the results are bit-identical to them and to
/// the scalar twins.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>
    /// Four Q4_K weight rows × four Q8_K activation rows (AVX2). Output (activation row j, weight row i) goes to
    /// <c>y[j·yStride + i]</c>, bit-identical to <see cref="Q4KSimd"/>.
    /// </summary>
    internal static void Q4KRows4x4Simd(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        KQuantRows4x4Scratch scratch = default;
        var acc = (Vector256<float>*)&scratch;   // [4i + j]: weight row i, activation row j
        var min = acc + 16;                      // [2i + h]: the min terms of activation rows 2h and 2h + 1, one per half
        var pairSums = (Vector256<short>*)(acc + 24); // [h]: activation rows 2h and 2h + 1's bsums, adjacent pairs added
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        for (var b = 0; b < n / 256; b++)
        {
            pairSums[0] = Vector256.Create(PairSums(x0), PairSums(x1));
            pairSums[1] = Vector256.Create(PairSums(x2), PairSums(x3));
            Q4KScalesAndMins2(w0 + 4, w1 + 4, out var scales0, out var mins0, out var scales1, out var mins1);
            Q4KScalesAndMins2(w2 + 4, w3 + 4, out var scales2, out var mins2, out var scales3, out var mins3);
            Q4KRowStep4x4Simd(w0, scales0, mins0, x0, x1, x2, x3, pairSums, acc, min);
            Q4KRowStep4x4Simd(w1, scales1, mins1, x0, x1, x2, x3, pairSums, acc + 4, min + 2);
            Q4KRowStep4x4Simd(w2, scales2, mins2, x0, x1, x2, x3, pairSums, acc + 8, min + 4);
            Q4KRowStep4x4Simd(w3, scales3, mins3, x0, x1, x2, x3, pairSums, acc + 12, min + 6);
            x0 += Q8KBytes;
            x1 += Q8KBytes;
            x2 += Q8KBytes;
            x3 += Q8KBytes;
            w0 += Q4KBytes;
            w1 += Q4KBytes;
            w2 += Q4KBytes;
            w3 += Q4KBytes;
        }

        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                var pair = min[(2 * i) + (j / 2)];
                var m = j % 2 == 0 ? pair.GetLower() : pair.GetUpper();
                y[(j * yStride) + i] = HorizontalSum(acc[(4 * i) + j]) + MinTotal(m);
            }
        }
    }

    // One Q4_K super-block of one weight row against the blocks of four activation rows: acc[j] is activation row j's
    // accumulator, min[h] activation rows 2h and 2h + 1's min terms, with Q4KSimd's operations on each.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q4KRowStep4x4Simd(
        byte* wb, Vector256<short> scales, Vector128<short> mins, byte* x0, byte* x1, byte* x2, byte* x3, Vector256<short>* pairSums,
        Vector256<float>* acc, Vector256<float>* min)
    {
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
        Q4KRun4x4(wb + 16, scales, 0, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
        Q4KRun4x4(wb + 16, scales, 1, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
        Q4KRun4x4(wb + 16, scales, 2, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
        Q4KRun4x4(wb + 16, scales, 3, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);

        var dw = Float16.ToSingle(*(ushort*)wb);
        var dminW = Float16.ToSingle(*(ushort*)(wb + 2));
        float yd0 = *(float*)x0, yd1 = *(float*)x1, yd2 = *(float*)x2, yd3 = *(float*)x3;
        acc[0] = Fma.MultiplyAdd(Vector256.Create(yd0 * dw), Avx.ConvertToVector256Single(s0), acc[0]);
        acc[1] = Fma.MultiplyAdd(Vector256.Create(yd1 * dw), Avx.ConvertToVector256Single(s1), acc[1]);
        acc[2] = Fma.MultiplyAdd(Vector256.Create(yd2 * dw), Avx.ConvertToVector256Single(s2), acc[2]);
        acc[3] = Fma.MultiplyAdd(Vector256.Create(yd3 * dw), Avx.ConvertToVector256Single(s3), acc[3]);

        // The min terms of activation rows (0, 1) and (2, 3) side by side: per 128-bit half Q4KSimd's four-lane operations.
        var mins2 = Vector256.Create(mins, mins);
        min[0] = Fma.MultiplyAdd(
            Vector256.Create(Vector128.Create(-yd0 * dminW), Vector128.Create(-yd1 * dminW)),
            Avx.ConvertToVector256Single(Avx2.MultiplyAddAdjacent(mins2, pairSums[0])),
            min[0]);
        min[1] = Fma.MultiplyAdd(
            Vector256.Create(Vector128.Create(-yd2 * dminW), Vector128.Create(-yd3 * dminW)),
            Avx.ConvertToVector256Single(Avx2.MultiplyAddAdjacent(mins2, pairSums[1])),
            min[1]);
    }

    // Run k (0..3) of one Q4_K super-block's quants (32 bytes: elements 64k + 0..31 in the low nibbles, 64k + 32..63 in the
    // high ones) against the four activation rows, into their int32 lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q4KRun4x4(
        byte* qs, Vector256<short> scales, int k, byte* x0, byte* x1, byte* x2, byte* x3,
        ref Vector256<int> s0, ref Vector256<int> s1, ref Vector256<int> s2, ref Vector256<int> s3)
    {
        var low = Vector256.Create((byte)0x0F);
        var bits = Vector256.Load(qs + (32 * k));
        var o = 4 + (64 * k);
        Q4KHalfRun4x4(bits & low, BroadcastScale(scales, 2 * k), o, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
        Q4KHalfRun4x4((bits.AsUInt16() >> 4).AsByte() & low, BroadcastScale(scales, (2 * k) + 1), o + 32, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
    }

    // 32 unsigned quants with their scale (as 16 shorts) against the activations at byte offset o of four rows' blocks.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q4KHalfRun4x4(
        Vector256<byte> q, Vector256<short> scale, int o, byte* x0, byte* x1, byte* x2, byte* x3,
        ref Vector256<int> s0, ref Vector256<int> s1, ref Vector256<int> s2, ref Vector256<int> s3)
    {
        s0 += Avx2.MultiplyAddAdjacent(scale, Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(x0 + o))));
        s1 += Avx2.MultiplyAddAdjacent(scale, Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(x1 + o))));
        s2 += Avx2.MultiplyAddAdjacent(scale, Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(x2 + o))));
        s3 += Avx2.MultiplyAddAdjacent(scale, Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(x3 + o))));
    }

    /// <summary>
    /// Four Q5_K weight rows × four Q8_K activation rows (AVX2). Output (activation row j, weight row i) goes to
    /// <c>y[j·yStride + i]</c>, bit-identical to <see cref="Q5KSimd"/>.
    /// </summary>
    internal static void Q5KRows4x4Simd(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        KQuantRows4x4Scratch scratch = default;
        var acc = (Vector256<float>*)&scratch;            // [4i + j]: weight row i, activation row j
        var summs = (float*)(acc + 16);                   // [4i + j]: the min terms
        var pairSums = (Vector128<short>*)(acc + 18);     // [j]: activation row j's bsums, adjacent pairs added
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        for (var b = 0; b < n / 256; b++)
        {
            pairSums[0] = PairSums(x0);
            pairSums[1] = PairSums(x1);
            pairSums[2] = PairSums(x2);
            pairSums[3] = PairSums(x3);
            Q4KScalesAndMins2(w0 + 4, w1 + 4, out var scales0, out var mins0, out var scales1, out var mins1);
            Q4KScalesAndMins2(w2 + 4, w3 + 4, out var scales2, out var mins2, out var scales3, out var mins3);
            Q5KRowStep4x4Simd(w0, scales0, mins0, x0, x1, x2, x3, pairSums, acc, summs);
            Q5KRowStep4x4Simd(w1, scales1, mins1, x0, x1, x2, x3, pairSums, acc + 4, summs + 4);
            Q5KRowStep4x4Simd(w2, scales2, mins2, x0, x1, x2, x3, pairSums, acc + 8, summs + 8);
            Q5KRowStep4x4Simd(w3, scales3, mins3, x0, x1, x2, x3, pairSums, acc + 12, summs + 12);
            x0 += Q8KBytes;
            x1 += Q8KBytes;
            x2 += Q8KBytes;
            x3 += Q8KBytes;
            w0 += Q5KBytes;
            w1 += Q5KBytes;
            w2 += Q5KBytes;
            w3 += Q5KBytes;
        }

        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                y[(j * yStride) + i] = HorizontalSum(acc[(4 * i) + j]) + summs[(4 * i) + j];
            }
        }
    }

    // One Q5_K super-block of one weight row against the blocks of four activation rows: acc[j] and summs[j] are activation
    // row j's accumulators, with Q5KSimd's operations on each.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q5KRowStep4x4Simd(
        byte* wb, Vector256<short> scales, Vector128<short> mins, byte* x0, byte* x1, byte* x2, byte* x3, Vector128<short>* pairSums,
        Vector256<float>* acc, float* summs)
    {
        var hbits = Vector256.Load(wb + 16).AsUInt16();
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
        Q5KRun4x4(wb + 48, hbits, scales, 0, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
        Q5KRun4x4(wb + 48, hbits, scales, 1, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
        Q5KRun4x4(wb + 48, hbits, scales, 2, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
        Q5KRun4x4(wb + 48, hbits, scales, 3, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);

        var dw = Float16.ToSingle(*(ushort*)wb);
        float yd0 = *(float*)x0, yd1 = *(float*)x1, yd2 = *(float*)x2, yd3 = *(float*)x3;
        summs[0] = Q5KMinTerm(wb, yd0, mins, pairSums[0], summs[0]);
        summs[1] = Q5KMinTerm(wb, yd1, mins, pairSums[1], summs[1]);
        summs[2] = Q5KMinTerm(wb, yd2, mins, pairSums[2], summs[2]);
        summs[3] = Q5KMinTerm(wb, yd3, mins, pairSums[3], summs[3]);
        acc[0] = Fma.MultiplyAdd(Vector256.Create(yd0 * dw), Avx.ConvertToVector256Single(s0), acc[0]);
        acc[1] = Fma.MultiplyAdd(Vector256.Create(yd1 * dw), Avx.ConvertToVector256Single(s1), acc[1]);
        acc[2] = Fma.MultiplyAdd(Vector256.Create(yd2 * dw), Avx.ConvertToVector256Single(s2), acc[2]);
        acc[3] = Fma.MultiplyAdd(Vector256.Create(yd3 * dw), Avx.ConvertToVector256Single(s3), acc[3]);
    }

    // Run k (0..3) of one Q5_K super-block: low nibbles with qh bit 2k against activations 64k + 0..31, high nibbles with
    // bit 2k + 1 against 64k + 32..63, for the four activation rows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q5KRun4x4(
        byte* qs, Vector256<ushort> hbits, Vector256<short> scales, int k, byte* x0, byte* x1, byte* x2, byte* x3,
        ref Vector256<int> s0, ref Vector256<int> s1, ref Vector256<int> s2, ref Vector256<int> s3)
    {
        var low = Vector256.Create((byte)0x0F);
        var bit4 = Vector256.Create((byte)0x10);
        var bits = Vector256.Load(qs + (32 * k));
        var o = 4 + (64 * k);
        Q4KHalfRun4x4((bits & low) | (ShiftToBit4(hbits, 2 * k) & bit4), BroadcastScale(scales, 2 * k), o, x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
        Q4KHalfRun4x4(
            ((bits.AsUInt16() >> 4).AsByte() & low) | (ShiftToBit4(hbits, (2 * k) + 1) & bit4), BroadcastScale(scales, (2 * k) + 1), o + 32,
            x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
    }

    /// <summary>
    /// Four Q6_K weight rows × four Q8_K activation rows (AVX2). Output (activation row j, weight row i) goes to
    /// <c>y[j·yStride + i]</c>, bit-identical to <see cref="Q6KSimd"/>.
    /// </summary>
    internal static void Q6KRows4x4Simd(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        KQuantRows4x4Scratch scratch = default;
        var acc = (Vector256<float>*)&scratch;       // [4i + j]: weight row i, activation row j
        var offsets = (Vector256<short>*)(acc + 16); // [8j + p]: activation row j's offset products 32·(y_2k + y_2k+1), part p
        var offset = Vector256.Create((byte)32);
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        for (var b = 0; b < n / 256; b++)
        {
            for (var p = 0; p < 8; p++)
            {
                offsets[p] = Avx2.MultiplyAddAdjacent(offset, Vector256.Load((sbyte*)(x0 + 4 + (32 * p))));
                offsets[8 + p] = Avx2.MultiplyAddAdjacent(offset, Vector256.Load((sbyte*)(x1 + 4 + (32 * p))));
                offsets[16 + p] = Avx2.MultiplyAddAdjacent(offset, Vector256.Load((sbyte*)(x2 + 4 + (32 * p))));
                offsets[24 + p] = Avx2.MultiplyAddAdjacent(offset, Vector256.Load((sbyte*)(x3 + 4 + (32 * p))));
            }

            Q6KRowStep4x4Simd(w0, x0, x1, x2, x3, offsets, acc);
            Q6KRowStep4x4Simd(w1, x0, x1, x2, x3, offsets, acc + 4);
            Q6KRowStep4x4Simd(w2, x0, x1, x2, x3, offsets, acc + 8);
            Q6KRowStep4x4Simd(w3, x0, x1, x2, x3, offsets, acc + 12);
            x0 += Q8KBytes;
            x1 += Q8KBytes;
            x2 += Q8KBytes;
            x3 += Q8KBytes;
            w0 += Q6KBytes;
            w1 += Q6KBytes;
            w2 += Q6KBytes;
            w3 += Q6KBytes;
        }

        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                y[(j * yStride) + i] = HorizontalSum(acc[(4 * i) + j]);
            }
        }
    }

    // One Q6_K super-block of one weight row against the blocks of four activation rows (acc[j]: activation row j). Part
    // 4·half + t holds elements 128·half + 32·t + 0..31, as in Q6KSums.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q6KRowStep4x4Simd(byte* wb, byte* x0, byte* x1, byte* x2, byte* x3, Vector256<short>* offsets, Vector256<float>* acc)
    {
        var scales = Vector128.Load((sbyte*)(wb + 192));
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
        Q6KHalf4x4(wb, scales, 0, x0, x1, x2, x3, offsets, ref s0, ref s1, ref s2, ref s3);
        Q6KHalf4x4(wb, scales, 1, x0, x1, x2, x3, offsets, ref s0, ref s1, ref s2, ref s3);

        var dw = Float16.ToSingle(*(ushort*)(wb + 208));
        acc[0] = Fma.MultiplyAdd(Vector256.Create(*(float*)x0 * dw), Avx.ConvertToVector256Single(s0), acc[0]);
        acc[1] = Fma.MultiplyAdd(Vector256.Create(*(float*)x1 * dw), Avx.ConvertToVector256Single(s1), acc[1]);
        acc[2] = Fma.MultiplyAdd(Vector256.Create(*(float*)x2 * dw), Avx.ConvertToVector256Single(s2), acc[2]);
        acc[3] = Fma.MultiplyAdd(Vector256.Create(*(float*)x3 * dw), Avx.ConvertToVector256Single(s3), acc[3]);
    }

    // Half (0 or 1) of one Q6_K weight super-block, parts 4·half + 0..3, against the four activation rows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q6KHalf4x4(
        byte* wb, Vector128<sbyte> scales, int half, byte* x0, byte* x1, byte* x2, byte* x3, Vector256<short>* offsets,
        ref Vector256<int> s0, ref Vector256<int> s1, ref Vector256<int> s2, ref Vector256<int> s3)
    {
        var low = Vector256.Create((byte)0x0F);
        var high = Vector256.Create((byte)0x30);
        var bits1 = Vector256.Load(wb + (64 * half));
        var bits2 = Vector256.Load(wb + (64 * half) + 32);
        var bitsH = Vector256.Load(wb + 128 + (32 * half)).AsUInt16();
        var p = 4 * half;
        Q6KPart4x4((bits1 & low) | ((bitsH << 4).AsByte() & high), Q6Scale(scales, p), p, x0, x1, x2, x3, offsets, ref s0, ref s1, ref s2, ref s3);
        Q6KPart4x4((bits2 & low) | ((bitsH << 2).AsByte() & high), Q6Scale(scales, p + 1), p + 1, x0, x1, x2, x3, offsets, ref s0, ref s1, ref s2, ref s3);
        Q6KPart4x4(((bits1.AsUInt16() >> 4).AsByte() & low) | (bitsH.AsByte() & high), Q6Scale(scales, p + 2), p + 2, x0, x1, x2, x3, offsets, ref s0, ref s1, ref s2, ref s3);
        Q6KPart4x4(((bits2.AsUInt16() >> 4).AsByte() & low) | ((bitsH >> 2).AsByte() & high), Q6Scale(scales, p + 3), p + 3, x0, x1, x2, x3, offsets, ref s0, ref s1, ref s2, ref s3);
    }

    // Part p of one Q6_K weight super-block (32 six-bit quants q and their scales) against the four activation rows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q6KPart4x4(
        Vector256<byte> q, Vector256<short> scale, int p, byte* x0, byte* x1, byte* x2, byte* x3, Vector256<short>* offsets,
        ref Vector256<int> s0, ref Vector256<int> s1, ref Vector256<int> s2, ref Vector256<int> s3)
    {
        var o = 4 + (32 * p);
        s0 += Avx2.MultiplyAddAdjacent(scale, Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(x0 + o))) - offsets[p]);
        s1 += Avx2.MultiplyAddAdjacent(scale, Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(x1 + o))) - offsets[8 + p]);
        s2 += Avx2.MultiplyAddAdjacent(scale, Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(x2 + o))) - offsets[16 + p]);
        s3 += Avx2.MultiplyAddAdjacent(scale, Avx2.MultiplyAddAdjacent(q, Vector256.Load((sbyte*)(x3 + o))) - offsets[24 + p]);
    }
}
