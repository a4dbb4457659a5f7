using System.Runtime.CompilerServices;
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
            accMin = Fma.MultiplyAdd(Vector128.Create(dmin), Sse2.ConvertToVector128Single(MinProducts(xb, mn)), accMin);

            var sumi = Vector256<int>.Zero;
            var qs = wb + 16;
            var q8 = (sbyte*)(xb + 4);
            for (var j = 0; j < 4; j++)
            {
                var bits = Vector256.Load(qs + (32 * j));
                var ql = bits & low;
                var qh = (bits.AsUInt16() >> 4).AsByte() & low;
                var pl = Avx2.MultiplyAddAdjacent(ql, Vector256.Load(q8 + (64 * j)));
                var ph = Avx2.MultiplyAddAdjacent(qh, Vector256.Load(q8 + (64 * j) + 32));
                sumi += Avx2.MultiplyAddAdjacent(Vector256.Create((short)sc[2 * j]), pl)
                    + Avx2.MultiplyAddAdjacent(Vector256.Create((short)sc[(2 * j) + 1]), ph);
            }

            acc = Fma.MultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sumi), acc);
        }

        return HorizontalSum(acc) + ((accMin.GetElement(0) + accMin.GetElement(2)) + (accMin.GetElement(1) + accMin.GetElement(3)));
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
        var one = Vector256.Create((byte)1);
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
            var prod = MinProducts(xb, mn);
            var total = prod.GetElement(0) + prod.GetElement(1) + prod.GetElement(2) + prod.GetElement(3);
            summs = MathF.FusedMultiplyAdd(dmin, total, summs);

            var hbits = Vector256.Load(wb + 16).AsUInt16();
            var qs = wb + 48;
            var q8 = (sbyte*)(xb + 4);
            var sumi = Vector256<int>.Zero;
            for (var j = 0; j < 4; j++)
            {
                var bits = Vector256.Load(qs + (32 * j));
                var h0 = (((hbits >> (2 * j)).AsByte() & one).AsUInt16() << 4).AsByte();
                var h1 = (((hbits >> ((2 * j) + 1)).AsByte() & one).AsUInt16() << 4).AsByte();
                var q0 = (bits & low) | h0;
                var q1 = ((bits.AsUInt16() >> 4).AsByte() & low) | h1;
                var p0 = Avx2.MultiplyAddAdjacent(q0, Vector256.Load(q8 + (64 * j)));
                var p1 = Avx2.MultiplyAddAdjacent(q1, Vector256.Load(q8 + (64 * j) + 32));
                sumi += Avx2.MultiplyAddAdjacent(Vector256.Create((short)sc[2 * j]), p0)
                    + Avx2.MultiplyAddAdjacent(Vector256.Create((short)sc[(2 * j) + 1]), p1);
            }

            acc = Fma.MultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sumi), acc);
        }

        return HorizontalSum(acc) + summs;
    }

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
        var three = Vector256.Create((byte)3);
        var offset = Vector256.Create((byte)32);
        for (var b = 0; b < n / 256; b++)
        {
            var wb = w + (b * Q6KBytes);
            var xb = x + (b * Q8KBytes);
            var d = *(float*)xb * Float16.ToSingle(*(ushort*)(wb + 208));
            var scales = (sbyte*)(wb + 192);
            var q8 = (sbyte*)(xb + 4);
            var sumi = Vector256<int>.Zero;
            for (var half = 0; half < 2; half++)
            {
                var bits1 = Vector256.Load(wb + (64 * half));
                var bits2 = Vector256.Load(wb + (64 * half) + 32);
                var bitsH = Vector256.Load(wb + 128 + (32 * half)).AsUInt16();
                var q0 = (bits1 & low) | (((bitsH.AsByte() & three).AsUInt16() << 4).AsByte());
                var q1 = (bits2 & low) | ((((bitsH >> 2).AsByte() & three).AsUInt16() << 4).AsByte());
                var q2 = ((bits1.AsUInt16() >> 4).AsByte() & low) | ((((bitsH >> 4).AsByte() & three).AsUInt16() << 4).AsByte());
                var q3 = ((bits2.AsUInt16() >> 4).AsByte() & low) | ((((bitsH >> 6).AsByte() & three).AsUInt16() << 4).AsByte());
                var y = q8 + (128 * half);
                var s = scales + (8 * half);
                sumi += Q6Part(q0, Vector256.Load(y), s[0], s[1], offset)
                    + Q6Part(q1, Vector256.Load(y + 32), s[2], s[3], offset);
                sumi += Q6Part(q2, Vector256.Load(y + 64), s[4], s[5], offset)
                    + Q6Part(q3, Vector256.Load(y + 96), s[6], s[7], offset);
            }

            acc = Fma.MultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sumi), acc);
        }

        return HorizontalSum(acc);
    }

    // (q - 32)·y per byte pair, then scaled: the first 16 elements by s0, the next 16 by s1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Q6Part(Vector256<byte> q, Vector256<sbyte> y, sbyte s0, sbyte s1, Vector256<byte> offset)
    {
        var p = Avx2.MultiplyAddAdjacent(q, y) - Avx2.MultiplyAddAdjacent(offset, y);
        var scale = Vector256.Create(Vector128.Create((short)s0), Vector128.Create((short)s1));
        return Avx2.MultiplyAddAdjacent(scale, p);
    }

    // mins of sub-blocks 2p and 2p+1 times the sums of their q8 (scalar twin of one lane of MinProducts).
    private static int MinPair(Span<int> mins, short* bsums, int p) =>
        (mins[2 * p] * (bsums[4 * p] + bsums[(4 * p) + 1])) + (mins[(2 * p) + 1] * (bsums[(4 * p) + 2] + bsums[(4 * p) + 3]));

    // Σ over pairs of 32-element sub-blocks of mins · (sum of their 32 q8): ggml's _mm_madd_epi16(mins, hadd(bsums)).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> MinProducts(byte* xb, Span<int> mins)
    {
        var bsums = (short*)(xb + 260);
        return Vector128.Create(
            (mins[0] * (bsums[0] + bsums[1])) + (mins[1] * (bsums[2] + bsums[3])),
            (mins[2] * (bsums[4] + bsums[5])) + (mins[3] * (bsums[6] + bsums[7])),
            (mins[4] * (bsums[8] + bsums[9])) + (mins[5] * (bsums[10] + bsums[11])),
            (mins[6] * (bsums[12] + bsums[13])) + (mins[7] * (bsums[14] + bsums[15])));
    }

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
