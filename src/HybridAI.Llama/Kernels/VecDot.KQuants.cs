using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q4_K, Q5_K and Q6_K weights against Q8_K activations (ggml_vec_dot_q4_K_q8_K / q5_K / q6_K, AVX2). Per super-block
/// of 256, int32 lane l (0..7) sums the scaled products of the elements e with (e mod 32) / 4 == l; it is converted to
/// float and accumulated by d = d_x·d_w with one FMA per lane. The min term (Q4_K, Q5_K) is Σ mins·bsums in integers,
/// scaled by -d_x·dmin_w: Q4_K keeps it in 4 lanes, Q5_K in one scalar.
/// </content>
internal static unsafe partial class VecDot
{
    private const int Q8KBytes = 292;
    private const int Q4KBytes = 144;
    private const int Q5KBytes = 176;
    private const int Q6KBytes = 210;

    internal static float Q4KScalar(byte* w, byte* x, int n)
    {
        FloatLanes8 acc = default;
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        Span<int> sc = stackalloc int[8];
        Span<int> mn = stackalloc int[8];
        for (var b = 0; b < n / 256; b++)
        {
            var wb = w + (b * Q4KBytes);
            var xb = x + (b * Q8KBytes);
            var yd = *(float*)xb;
            var d = yd * Float16.ToSingle(*(ushort*)wb);
            var dmin = -yd * Float16.ToSingle(*(ushort*)(wb + 2));
            UnpackScalesMins(wb + 4, sc, mn);
            var bsums = (short*)(xb + 260);
            m0 = MathF.FusedMultiplyAdd(dmin, MinPair(mn, bsums, 0), m0);
            m1 = MathF.FusedMultiplyAdd(dmin, MinPair(mn, bsums, 1), m1);
            m2 = MathF.FusedMultiplyAdd(dmin, MinPair(mn, bsums, 2), m2);
            m3 = MathF.FusedMultiplyAdd(dmin, MinPair(mn, bsums, 3), m3);

            IntLanes8 sumi = default;
            var qs = wb + 16;
            var q8 = (sbyte*)(xb + 4);
            for (var j = 0; j < 4; j++)
            {
                for (var e = 0; e < 32; e++)
                {
                    var q = qs[(32 * j) + e];
                    sumi[e >> 2] += (sc[2 * j] * (q & 0xF) * q8[(64 * j) + e]) + (sc[(2 * j) + 1] * (q >> 4) * q8[(64 * j) + 32 + e]);
                }
            }

            for (var l = 0; l < 8; l++)
            {
                acc[l] = MathF.FusedMultiplyAdd(d, sumi[l], acc[l]);
            }
        }

        return acc.HorizontalSum() + ((m0 + m2) + (m1 + m3));
    }

    internal static float Q4KSimd(byte* w, byte* x, int n)
    {
        var acc = Vector256<float>.Zero;
        var accMin = Vector128<float>.Zero;
        var low = Vector256.Create((byte)0x0F);
        var scales = stackalloc int[8];
        for (var b = 0; b < n / 256; b++)
        {
            var wb = w + (b * Q4KBytes);
            var xb = x + (b * Q8KBytes);
            var yd = *(float*)xb;
            SpreadScalesAndMins(wb, scales, out var mins);
            var sums = Q4KSums(wb, scales, mins, PairSums(xb), (sbyte*)(xb + 4), yd, low, ref accMin);
            acc = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)wb)), sums, acc);
        }

        return HorizontalSum(acc) + MinTotal(accMin);
    }

    /// <summary>
    /// Four Q4_K rows against one Q8_K row: per row exactly <see cref="Q4KSimd"/>'s operations in its order (bit-identical),
    /// with four independent accumulator chains, the activation block shared, and the next four rows prefetched as one
    /// linear stream.
    /// </summary>
    internal static void Q4KRows4Simd(byte* w, long rowStride, byte* x, int n, float* y)
    {
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector128<float> min0 = default, min1 = default, min2 = default, min3 = default;
        var low = Vector256.Create((byte)0x0F);
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        var prefetch = new GroupPrefetch(w, 4 * rowStride);
        var scales = stackalloc int[32];
        for (var b = 0; b < n / 256; b++)
        {
            prefetch.Step(4 * Q4KBytes);
            var yd = *(float*)x;
            var q8 = (sbyte*)(x + 4);
            var pairSums = PairSums(x);
            SpreadScalesAndMins4(w0, w1, w2, w3, scales, out var mins0, out var mins1, out var mins2, out var mins3);
            acc0 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)w0)), Q4KSums(w0, scales, mins0, pairSums, q8, yd, low, ref min0), acc0);
            acc1 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)w1)), Q4KSums(w1, scales + 8, mins1, pairSums, q8, yd, low, ref min1), acc1);
            acc2 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)w2)), Q4KSums(w2, scales + 16, mins2, pairSums, q8, yd, low, ref min2), acc2);
            acc3 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)w3)), Q4KSums(w3, scales + 24, mins3, pairSums, q8, yd, low, ref min3), acc3);
            x += Q8KBytes;
            w0 += Q4KBytes;
            w1 += Q4KBytes;
            w2 += Q4KBytes;
            w3 += Q4KBytes;
        }

        y[0] = HorizontalSum(acc0) + MinTotal(min0);
        y[1] = HorizontalSum(acc1) + MinTotal(min1);
        y[2] = HorizontalSum(acc2) + MinTotal(min2);
        y[3] = HorizontalSum(acc3) + MinTotal(min3);
    }

    // One Q4_K super-block of one row, its scales and mins unpacked: the min term is accumulated into accMin, the integer
    // lane sums returned as floats.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Q4KSums(
        byte* wb, int* scales, Vector128<short> mins, Vector128<short> pairSums, sbyte* q8, float yd, Vector256<byte> low,
        ref Vector128<float> accMin)
    {
        var dmin = -yd * Float16.ToSingle(*(ushort*)(wb + 2));
        var minProducts = Sse2.MultiplyAddAdjacent(mins, pairSums);
        accMin = Fma.MultiplyAdd(Vector128.Create(dmin), Sse2.ConvertToVector128Single(minProducts), accMin);
        return Avx.ConvertToVector256Single(Q4KIntSums(wb + 16, q8, scales, low));
    }

    // The int32 lanes of one Q4_K super-block's quants against one activation block (the four 32-byte runs written out,
    // so that each run's scale offsets are constants).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Q4KIntSums(byte* qs, sbyte* q8, int* scales, Vector256<byte> low) =>
        (Q4KRunSums(qs, q8, scales, 0, low) + Q4KRunSums(qs, q8, scales, 1, low))
        + (Q4KRunSums(qs, q8, scales, 2, low) + Q4KRunSums(qs, q8, scales, 3, low));

    // Run k (0..3): 32 bytes whose low nibbles meet activations 64k + 0..31 (scale 2k) and high nibbles 64k + 32..63 (scale 2k + 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Q4KRunSums(byte* qs, sbyte* q8, int* scales, int k, Vector256<byte> low)
    {
        var bits = Vector256.Load(qs + (32 * k));
        var ql = bits & low;
        var qh = (bits.AsUInt16() >> 4).AsByte() & low;
        var pl = Avx2.MultiplyAddAdjacent(ql, Vector256.Load(q8 + (64 * k)));
        var ph = Avx2.MultiplyAddAdjacent(qh, Vector256.Load(q8 + (64 * k) + 32));
        return AddPairProducts(Avx2.MultiplyAddAdjacent(SpreadScale(scales, 2 * k), pl), SpreadScale(scales, (2 * k) + 1), ph);
    }

    internal static float Q5KScalar(byte* w, byte* x, int n)
    {
        FloatLanes8 acc = default;
        var summs = 0f;
        Span<int> sc = stackalloc int[8];
        Span<int> mn = stackalloc int[8];
        for (var b = 0; b < n / 256; b++)
        {
            var wb = w + (b * Q5KBytes);
            var xb = x + (b * Q8KBytes);
            var yd = *(float*)xb;
            var d = yd * Float16.ToSingle(*(ushort*)wb);
            var dmin = -yd * Float16.ToSingle(*(ushort*)(wb + 2));
            UnpackScalesMins(wb + 4, sc, mn);
            var bsums = (short*)(xb + 260);
            var total = 0;
            for (var k = 0; k < 8; k++)
            {
                total += mn[k] * (bsums[2 * k] + bsums[(2 * k) + 1]);
            }

            // ggml writes summs += dmin * total; GCC contracts it to an FMA under -ffp-contract=fast (the GNU C default).
            summs = MathF.FusedMultiplyAdd(dmin, total, summs);

            IntLanes8 sumi = default;
            var qh = wb + 16;
            var qs = wb + 48;
            var q8 = (sbyte*)(xb + 4);
            for (var j = 0; j < 4; j++)
            {
                for (var e = 0; e < 32; e++)
                {
                    var q = qs[(32 * j) + e];
                    var lo = (q & 0xF) + (((qh[e] >> (2 * j)) & 1) << 4);
                    var hi = (q >> 4) + (((qh[e] >> ((2 * j) + 1)) & 1) << 4);
                    sumi[e >> 2] += (sc[2 * j] * lo * q8[(64 * j) + e]) + (sc[(2 * j) + 1] * hi * q8[(64 * j) + 32 + e]);
                }
            }

            for (var l = 0; l < 8; l++)
            {
                acc[l] = MathF.FusedMultiplyAdd(d, sumi[l], acc[l]);
            }
        }

        return acc.HorizontalSum() + summs;
    }

    internal static float Q5KSimd(byte* w, byte* x, int n)
    {
        var acc = Vector256<float>.Zero;
        var summs = 0f;
        var low = Vector256.Create((byte)0x0F);
        var bit4 = Vector256.Create((byte)0x10);
        var scales = stackalloc int[8];
        for (var b = 0; b < n / 256; b++)
        {
            var wb = w + (b * Q5KBytes);
            var xb = x + (b * Q8KBytes);
            var yd = *(float*)xb;
            SpreadScalesAndMins(wb, scales, out var mins);
            summs = Q5KMinTerm(wb, yd, mins, PairSums(xb), summs);
            var sumi = Q5KIntSums(wb, (sbyte*)(xb + 4), scales, low, bit4);
            acc = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)wb)), Avx.ConvertToVector256Single(sumi), acc);
        }

        return HorizontalSum(acc) + summs;
    }

    /// <summary>
    /// Four Q5_K rows against one Q8_K row: per row exactly <see cref="Q5KSimd"/>'s operations in its order (bit-identical),
    /// with four independent accumulator chains, the activation block and its pair sums shared, the scales and mins of two
    /// rows unpacked at a time with vector operations, and the next four rows prefetched as one linear stream.
    /// </summary>
    internal static void Q5KRows4Simd(byte* w, long rowStride, byte* x, int n, float* y)
    {
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        float summs0 = 0, summs1 = 0, summs2 = 0, summs3 = 0;
        var low = Vector256.Create((byte)0x0F);
        var bit4 = Vector256.Create((byte)0x10);
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        var prefetch = new GroupPrefetch(w, 4 * rowStride);
        var scales = stackalloc int[32];
        for (var b = 0; b < n / 256; b++)
        {
            prefetch.Step(4 * Q5KBytes);
            var yd = *(float*)x;
            var q8 = (sbyte*)(x + 4);
            var pairSums = PairSums(x);
            SpreadScalesAndMins4(w0, w1, w2, w3, scales, out var mins0, out var mins1, out var mins2, out var mins3);
            summs0 = Q5KMinTerm(w0, yd, mins0, pairSums, summs0);
            summs1 = Q5KMinTerm(w1, yd, mins1, pairSums, summs1);
            summs2 = Q5KMinTerm(w2, yd, mins2, pairSums, summs2);
            summs3 = Q5KMinTerm(w3, yd, mins3, pairSums, summs3);
            acc0 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)w0)), Avx.ConvertToVector256Single(Q5KIntSums(w0, q8, scales, low, bit4)), acc0);
            acc1 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)w1)), Avx.ConvertToVector256Single(Q5KIntSums(w1, q8, scales + 8, low, bit4)), acc1);
            acc2 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)w2)), Avx.ConvertToVector256Single(Q5KIntSums(w2, q8, scales + 16, low, bit4)), acc2);
            acc3 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)w3)), Avx.ConvertToVector256Single(Q5KIntSums(w3, q8, scales + 24, low, bit4)), acc3);
            x += Q8KBytes;
            w0 += Q5KBytes;
            w1 += Q5KBytes;
            w2 += Q5KBytes;
            w3 += Q5KBytes;
        }

        y[0] = HorizontalSum(acc0) + summs0;
        y[1] = HorizontalSum(acc1) + summs1;
        y[2] = HorizontalSum(acc2) + summs2;
        y[3] = HorizontalSum(acc3) + summs3;
    }

    // Q5KSimd's min term for one row and super-block: summs + (-yd·dmin_w) · Σ mins·pair sums, as one FMA.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Q5KMinTerm(byte* wb, float yd, Vector128<short> mins, Vector128<short> pairSums, float summs)
    {
        var prod = Sse2.MultiplyAddAdjacent(mins, pairSums);
        var total = (prod.GetElement(0) + prod.GetElement(1)) + (prod.GetElement(2) + prod.GetElement(3));
        return MathF.FusedMultiplyAdd(-yd * Float16.ToSingle(*(ushort*)(wb + 2)), total, summs);
    }

    // The int32 lanes of one Q5_K super-block against one activation block (the four runs written out, so that shifts and
    // scale offsets are constants).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Q5KIntSums(byte* wb, sbyte* q8, int* scales, Vector256<byte> low, Vector256<byte> bit4)
    {
        var hbits = Vector256.Load(wb + 16).AsUInt16();
        return (Q5KRunSums(wb + 48, hbits, q8, scales, 0, low, bit4) + Q5KRunSums(wb + 48, hbits, q8, scales, 1, low, bit4))
            + (Q5KRunSums(wb + 48, hbits, q8, scales, 2, low, bit4) + Q5KRunSums(wb + 48, hbits, q8, scales, 3, low, bit4));
    }

    // Run k (0..3): low nibbles with qh bit 2k against activations 64k + 0..31 (scale 2k), high nibbles with bit 2k + 1
    // against 64k + 32..63 (scale 2k + 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Q5KRunSums(
        byte* qs, Vector256<ushort> hbits, sbyte* q8, int* scales, int k, Vector256<byte> low, Vector256<byte> bit4)
    {
        var bits = Vector256.Load(qs + (32 * k));
        // Bit 2k (then 2k+1) of each qh byte moved to bit 4: shifts of 16-bit lanes keep bytes apart after the mask.
        var q0 = (bits & low) | (ShiftToBit4(hbits, 2 * k) & bit4);
        var q1 = ((bits.AsUInt16() >> 4).AsByte() & low) | (ShiftToBit4(hbits, (2 * k) + 1) & bit4);
        var p0 = Avx2.MultiplyAddAdjacent(q0, Vector256.Load(q8 + (64 * k)));
        var p1 = Avx2.MultiplyAddAdjacent(q1, Vector256.Load(q8 + (64 * k) + 32));
        return AddPairProducts(Avx2.MultiplyAddAdjacent(SpreadScale(scales, 2 * k), p0), SpreadScale(scales, (2 * k) + 1), p1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> ShiftToBit4(Vector256<ushort> bits, int bit) =>
        (bit <= 4 ? bits << (4 - bit) : bits >> (bit - 4)).AsByte();

    internal static float Q6KScalar(byte* w, byte* x, int n)
    {
        FloatLanes8 acc = default;
        for (var b = 0; b < n / 256; b++)
        {
            var wb = w + (b * Q6KBytes);
            var xb = x + (b * Q8KBytes);
            var d = *(float*)xb * Float16.ToSingle(*(ushort*)(wb + 208));
            var scales = (sbyte*)(wb + 192);
            var q8 = (sbyte*)(xb + 4);
            IntLanes8 sumi = default;
            for (var half = 0; half < 2; half++)
            {
                var ql = wb + (64 * half);
                var qh = wb + 128 + (32 * half);
                for (var e = 0; e < 32; e++)
                {
                    var q0 = ((ql[e] & 0xF) | ((qh[e] & 3) << 4)) - 32;
                    var q1 = ((ql[e + 32] & 0xF) | (((qh[e] >> 2) & 3) << 4)) - 32;
                    var q2 = ((ql[e] >> 4) | (((qh[e] >> 4) & 3) << 4)) - 32;
                    var q3 = ((ql[e + 32] >> 4) | (((qh[e] >> 6) & 3) << 4)) - 32;
                    var s = (8 * half) + (e >> 4);
                    var y = q8 + (128 * half) + e;
                    sumi[e >> 2] += (scales[s] * q0 * y[0]) + (scales[s + 2] * q1 * y[32])
                        + (scales[s + 4] * q2 * y[64]) + (scales[s + 6] * q3 * y[96]);
                }
            }

            for (var l = 0; l < 8; l++)
            {
                acc[l] = MathF.FusedMultiplyAdd(d, sumi[l], acc[l]);
            }
        }

        return acc.HorizontalSum();
    }

    internal static float Q6KSimd(byte* w, byte* x, int n)
    {
        var acc = Vector256<float>.Zero;
        var low = Vector256.Create((byte)0x0F);
        var high = Vector256.Create((byte)0x30);
        var offset = Vector256.Create((byte)32);
        for (var b = 0; b < n / 256; b++)
        {
            var wb = w + (b * Q6KBytes);
            var xb = x + (b * Q8KBytes);
            var d = *(float*)xb * Float16.ToSingle(*(ushort*)(wb + 208));
            acc = Fma.MultiplyAdd(Vector256.Create(d), Q6KSums(wb, (sbyte*)(xb + 4), low, high, offset), acc);
        }

        return HorizontalSum(acc);
    }

    /// <summary>Four Q6_K rows against one Q8_K row: per row exactly <see cref="Q6KSimd"/>'s operations (bit-identical).</summary>
    internal static void Q6KRows4Simd(byte* w, long rowStride, byte* x, int n, float* y)
    {
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var low = Vector256.Create((byte)0x0F);
        var high = Vector256.Create((byte)0x30);
        var offset = Vector256.Create((byte)32);
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        var prefetch = new GroupPrefetch(w, 4 * rowStride);
        for (var b = 0; b < n / 256; b++)
        {
            prefetch.Step(4 * Q6KBytes);
            var yd = *(float*)x;
            var q8 = (sbyte*)(x + 4);
            acc0 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)(w0 + 208))), Q6KSums(w0, q8, low, high, offset), acc0);
            acc1 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)(w1 + 208))), Q6KSums(w1, q8, low, high, offset), acc1);
            acc2 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)(w2 + 208))), Q6KSums(w2, q8, low, high, offset), acc2);
            acc3 = Fma.MultiplyAdd(Vector256.Create(yd * Float16.ToSingle(*(ushort*)(w3 + 208))), Q6KSums(w3, q8, low, high, offset), acc3);
            x += Q8KBytes;
            w0 += Q6KBytes;
            w1 += Q6KBytes;
            w2 += Q6KBytes;
            w3 += Q6KBytes;
        }

        y[0] = HorizontalSum(acc0);
        y[1] = HorizontalSum(acc1);
        y[2] = HorizontalSum(acc2);
        y[3] = HorizontalSum(acc3);
    }

    // One Q6_K super-block of one row: the integer lane sums, as floats.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Q6KSums(byte* wb, sbyte* q8, Vector256<byte> low, Vector256<byte> high, Vector256<byte> offset)
    {
        var scales = Vector128.Load((sbyte*)(wb + 192));
        var sumi = Vector256<int>.Zero;
        for (var half = 0; half < 2; half++)
        {
            sumi += Q6KHalfSums(wb, q8, scales, half, low, high, offset);
        }

        return Avx.ConvertToVector256Single(sumi);
    }

    // Half (0 or 1) of one Q6_K super-block against one activation block: its four parts (written out per half, so that
    // the scale shuffle masks and offsets are constants).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Q6KHalfSums(
        byte* wb, sbyte* q8, Vector128<sbyte> scales, int half, Vector256<byte> low, Vector256<byte> high, Vector256<byte> offset)
    {
        var bits1 = Vector256.Load(wb + (64 * half));
        var bits2 = Vector256.Load(wb + (64 * half) + 32);
        var bitsH = Vector256.Load(wb + 128 + (32 * half)).AsUInt16();
        var q0 = (bits1 & low) | ((bitsH << 4).AsByte() & high);
        var q1 = (bits2 & low) | ((bitsH << 2).AsByte() & high);
        var q2 = ((bits1.AsUInt16() >> 4).AsByte() & low) | (bitsH.AsByte() & high);
        var q3 = ((bits2.AsUInt16() >> 4).AsByte() & low) | ((bitsH >> 2).AsByte() & high);
        var y = q8 + (128 * half);
        var s = 4 * half;
        // Integer sums: any order gives the same bits, so each scaled part is added straight into the total (vpdpwssd with AVX-VNNI).
        var sums = Avx2.MultiplyAddAdjacent(Q6Scale(scales, s), Q6Products(q0, Vector256.Load(y), offset));
        sums = AddPairProducts(sums, Q6Scale(scales, s + 1), Q6Products(q1, Vector256.Load(y + 32), offset));
        sums = AddPairProducts(sums, Q6Scale(scales, s + 2), Q6Products(q2, Vector256.Load(y + 64), offset));
        return AddPairProducts(sums, Q6Scale(scales, s + 3), Q6Products(q3, Vector256.Load(y + 96), offset));
    }

    // Shuffle masks for Q6Scale: mask i repeats byte 2i eight times, then byte 2i+1.
    private static ReadOnlySpan<byte> Q6ScaleMasks =>
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

    // Scales 2i (first 16 elements) and 2i+1 (next 16) of a Q6_K block as 16 shorts: ggml's get_scale_shuffle + cvtepi8_epi16.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Q6Scale(Vector128<sbyte> scales, int i)
    {
        var mask = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(Q6ScaleMasks), (nuint)(16 * i)).AsSByte();
        var pair = Ssse3.Shuffle(scales, mask);
        return Avx2.ConvertToVector256Int16(pair);
    }

    // (q - 32)·y per byte pair, in 16 bits (exact: |pair| ≤ 2·32·128), for the caller to scale: the first 16 elements by s0, the next 16 by s1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Q6Products(Vector256<byte> q, Vector256<sbyte> y, Vector256<byte> offset) =>
        Avx2.MultiplyAddAdjacent(q, y) - Avx2.MultiplyAddAdjacent(offset, y);

    /// <summary>
    /// The scales and mins of one Q4_K/Q5_K block (at <paramref name="block"/>), the scales spread (<see cref="SpreadScales"/>)
    /// to <paramref name="scales"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SpreadScalesAndMins(byte* block, int* scales, out Vector128<short> mins)
    {
        Q4KScalesAndMins2(block + 4, block + 4, out var packed, out mins, out _, out _);
        SpreadScales(packed, scales);
    }

    // The four lanes of a Q4_K min accumulator summed in ggml's order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MinTotal(Vector128<float> m) => (m.GetElement(0) + m.GetElement(2)) + (m.GetElement(1) + m.GetElement(3));

    /// <summary>
    /// The 12 packed scale/min bytes of two Q4_K/Q5_K blocks unpacked as ggml's utmp shuffle, with vector operations (one
    /// block per 128-bit lane; each pointer is 4 bytes into its block, and 16 bytes are read): per block the eight scales as
    /// shorts in both halves of a register (for <see cref="BroadcastScale"/>) and the eight mins as shorts. Per lane
    /// u = [u0, u1, u2, -]; the bytes come out as mins 0..3 =
    /// u1 &amp; 0x3f, mins 4..7 = ((u2 &gt;&gt; 4) &amp; 0x0f) | ((u1 &gt;&gt; 6) &amp; 3) &lt;&lt; 4, scales 0..3 = u0 &amp; 0x3f,
    /// scales 4..7 = (u2 &amp; 0x0f) | ((u0 &gt;&gt; 6) &amp; 3) &lt;&lt; 4, as <see cref="Q4KMinsAndScales4"/> does four blocks at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q4KScalesAndMins2(
        byte* p0, byte* p1, out Vector256<short> scales0, out Vector128<short> mins0, out Vector256<short> scales1, out Vector128<short> mins1)
    {
        var u = Vector256.Create(Vector128.Load((uint*)p0), Vector128.Load((uint*)p1));
        var lowParts = Avx2.Shuffle(u, 0b10_00_10_01);
        var highParts = Avx2.Shuffle(u, 0b00_00_01_01);
        var lo = Avx2.ShiftRightLogicalVariable(lowParts, Vector256.Create(0u, 4u, 0u, 0u, 0u, 4u, 0u, 0u))
            & Vector256.Create(0x3f3f3f3fu, 0x0f0f0f0fu, 0x3f3f3f3fu, 0x0f0f0f0fu, 0x3f3f3f3fu, 0x0f0f0f0fu, 0x3f3f3f3fu, 0x0f0f0f0fu);
        var hi = (highParts >> 2) & Vector256.Create(0u, 0x30303030u, 0u, 0x30303030u, 0u, 0x30303030u, 0u, 0x30303030u);
        var bytes = (lo | hi).AsByte();
        var words0 = Avx2.ConvertToVector256Int16(bytes.GetLower());
        var words1 = Avx2.ConvertToVector256Int16(bytes.GetUpper());
        mins0 = words0.GetLower();
        mins1 = words1.GetLower();
        scales0 = Avx2.Permute4x64(words0.AsInt64(), 0b11_10_11_10).AsInt16();
        scales1 = Avx2.Permute4x64(words1.AsInt64(), 0b11_10_11_10).AsInt16();
    }

    /// <summary>
    /// The scales and mins of four Q4_K/Q5_K blocks (one per row), the scales spread (<see cref="SpreadScales"/>) to
    /// <paramref name="scales"/> + 8·row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SpreadScalesAndMins4(
        byte* w0, byte* w1, byte* w2, byte* w3, int* scales,
        out Vector128<short> mins0, out Vector128<short> mins1, out Vector128<short> mins2, out Vector128<short> mins3)
    {
        Q4KScalesAndMins2(w0 + 4, w1 + 4, out var packed0, out mins0, out var packed1, out mins1);
        Q4KScalesAndMins2(w2 + 4, w3 + 4, out var packed2, out mins2, out var packed3, out mins3);
        SpreadScales(packed0, scales);
        SpreadScales(packed1, scales + 8);
        SpreadScales(packed2, scales + 16);
        SpreadScales(packed3, scales + 24);
    }

    /// <summary>
    /// Writes a block's eight scales (as <see cref="Q4KScalesAndMins2"/> unpacks them) to <paramref name="to"/> as eight ints,
    /// int k holding scale k in both halves, for <see cref="SpreadScale"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SpreadScales(Vector256<short> scales, int* to)
    {
        var s = scales.GetLower();
        Sse2.UnpackLow(s, s).AsInt32().Store(to);
        Sse2.UnpackHigh(s, s).AsInt32().Store(to + 4);
    }

    /// <summary>
    /// Scale k of <see cref="SpreadScales"/>'s ints in every short lane: one broadcast load (no shuffle port), where
    /// <see cref="BroadcastScale"/> spends a <c>vpshufb</c> per use; the matrix-vector Q4_K kernel became 14 % faster in
    /// cache on AVX2 (docs/benchmarks.md, session 9). Writing and reading back a block's scales costs two stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> SpreadScale(int* scales, int k) => Vector256.Create(scales[k]).AsInt16();

    // Scale k (0..7) of Q4KScalesAndMins in every short lane (ggml's get_scale_shuffle_k4).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> BroadcastScale(Vector256<short> scales, int k)
    {
        var mask = Vector256.Create((short)((((2 * k) + 1) << 8) | (2 * k))).AsByte();
        return Avx2.Shuffle(scales.AsByte(), mask).AsInt16();
    }

    // mins of sub-blocks 2p and 2p+1 times the sums of their q8 (scalar twin of one lane of MinProducts).
    private static int MinPair(Span<int> mins, short* bsums, int p) =>
        (mins[2 * p] * (bsums[4 * p] + bsums[(4 * p) + 1])) + (mins[(2 * p) + 1] * (bsums[(4 * p) + 2] + bsums[(4 * p) + 3]));

    // The eight 6-bit scales and mins packed in 12 bytes (get_scale_min_k4 for j = 0..7).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UnpackScalesMins(byte* q, Span<int> scales, Span<int> mins)
    {
        for (var j = 0; j < 4; j++)
        {
            scales[j] = q[j] & 63;
            mins[j] = q[j + 4] & 63;
        }

        for (var j = 4; j < 8; j++)
        {
            scales[j] = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
            mins[j] = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
        }
    }
}
