using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace HybridAI.Llama;

/// <content>
/// 128-bit kernels for machines without AVX2 (Arm64 with AdvSimd, with the dot-product extension when present). They
/// keep the x86 kernels' lane structure (each 8-lane register is two 128-bit halves, a 16-lane one four quarters; int lane l
/// sums elements 4l..4l+3) so they match the scalar twins and llama.cpp bit for bit. Written with cross-platform Vector128 operations plus
/// AdvSimd/Dp shortcuts for the 4-element integer dot, so the portable part also runs (and is tested) on x64.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>Gets the 128-bit kernel for <paramref name="weightType"/> (tests call it directly on any machine).</summary>
    internal static delegate*<byte*, byte*, int, float> SelectPortable(GgmlType weightType) => weightType switch
    {
        GgmlType.F32 => &F32Portable,
        GgmlType.F16 => &F16Portable,
        GgmlType.BF16 => &BF16Portable,
        GgmlType.Q8_0 => &Q8_0Portable,
        GgmlType.Q4_0 => &Q4_0Portable,
        GgmlType.Q5_0 => &Q5_0Portable,
        GgmlType.Q4_K => &Q4KPortable,
        GgmlType.Q5_K => &Q5KPortable,
        GgmlType.Q6_K => &Q6KPortable,
        _ => throw new NotSupportedException($"Weights of type {weightType} are not supported."),
    };

    // The float kernels follow ggml's AVX-512 order (see VecDot.Float.cs): a 16-lane register is four 128-bit quarters.
    internal static float F32Portable(byte* w, byte* x, int n)
    {
        float* a = (float*)w, b = (float*)x;
        Span<Vector128<float>> s = stackalloc Vector128<float>[16];   // register r, quarter q at [4r + q]
        var np = n & ~(FloatStep - 1);
        for (var i = 0; i < np; i += FloatStep)
        {
            for (var k = 0; k < 16; k++)
            {
                s[k] = Vector128.FusedMultiplyAdd(Vector128.Load(a + i + (4 * k)), Vector128.Load(b + i + (4 * k)), s[k]);
            }
        }

        var sum = Reduce4(s);
        for (var i = np; i < n; i++)
        {
            sum = F32Leftover(a[i], b[i], sum, i, n);
        }

        return sum;
    }

    internal static float F16Portable(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        Span<Vector128<float>> s = stackalloc Vector128<float>[16];
        var np = n & ~(FloatStep - 1);
        for (var i = 0; i < np; i += FloatStep)
        {
            for (var k = 0; k < 16; k += 2)
            {
                var h = Vector128.Load(a + i + (4 * k));
                s[k] = Vector128.FusedMultiplyAdd(WidenHalf(Vector128.WidenLower(h)), Vector128.Load(b + i + (4 * k)), s[k]);
                s[k + 1] = Vector128.FusedMultiplyAdd(WidenHalf(Vector128.WidenUpper(h)), Vector128.Load(b + i + (4 * k) + 4), s[k + 1]);
            }
        }

        double sum = Reduce4(s);
        for (var i = np; i < n; i++)
        {
            sum += Float16.ToSingle(a[i]) * b[i];
        }

        return (float)sum;
    }

    internal static float BF16Portable(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        Span<Vector128<float>> c = stackalloc Vector128<float>[8];   // c1 quarters at [0..3], c2 at [4..7]
        var i = 0;
        for (; i + 64 <= n; i += 64)
        {
            for (var k = 0; k < 8; k++)
            {
                // Quarter k covers the element pairs of lanes 4k..4k+3: elements 8k..8k+7 of the 64-step.
                var bits = Vector128.Load((uint*)(a + i + (8 * k)));
                var x0 = Vector128.Load(b + i + (8 * k));
                var x1 = Vector128.Load(b + i + (8 * k) + 4);
                var xEven = Vector128.Create(x0.GetElement(0), x0.GetElement(2), x1.GetElement(0), x1.GetElement(2));
                var xOdd = Vector128.Create(x0.GetElement(1), x0.GetElement(3), x1.GetElement(1), x1.GetElement(3));
                c[k] += (bits & Vector128.Create(0xffff0000u)).AsSingle() * xOdd;
                c[k] += (bits << 16).AsSingle() * xEven;
            }
        }

        double sum = 0;
        sum += ReduceAdd(c[0], c[1], c[2], c[3]);
        sum += ReduceAdd(c[4], c[5], c[6], c[7]);
        for (; i < n; i++)
        {
            sum += BFloat16.ToSingle(a[i]) * b[i];
        }

        return (float)sum;
    }

    internal static float Q8_0Portable(byte* w, byte* x, int n)
    {
        Vector128<float> lo = default, hi = default;
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q8_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var d = Vector128.Create(Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb));
            sbyte* qw = (sbyte*)(wb + 2), qx = (sbyte*)(xb + 2);
            lo = Vector128.FusedMultiplyAdd(d, Vector128.ConvertToSingle(DotLanes(Vector128.Load(qw), Vector128.Load(qx))), lo);
            hi = Vector128.FusedMultiplyAdd(d, Vector128.ConvertToSingle(DotLanes(Vector128.Load(qw + 16), Vector128.Load(qx + 16))), hi);
        }

        return HorizontalSum(lo, hi);
    }

    internal static float Q4_0Portable(byte* w, byte* x, int n)
    {
        Vector128<float> lo = default, hi = default;
        var mask = Vector128.Create((byte)0x0F);
        var eight = Vector128.Create((sbyte)8);
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q4_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var d = Vector128.Create(Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb));
            var packed = Vector128.Load(wb + 2);
            var q0 = (packed & mask).AsSByte() - eight;
            var q1 = ((packed >> 4) & mask).AsSByte() - eight;
            var qx = (sbyte*)(xb + 2);
            lo = Vector128.FusedMultiplyAdd(d, Vector128.ConvertToSingle(DotLanes(q0, Vector128.Load(qx))), lo);
            hi = Vector128.FusedMultiplyAdd(d, Vector128.ConvertToSingle(DotLanes(q1, Vector128.Load(qx + 16))), hi);
        }

        return HorizontalSum(lo, hi);
    }

    internal static float Q5_0Portable(byte* w, byte* x, int n)
    {
        Vector128<float> lo = default, hi = default;
        var mask = Vector128.Create((byte)0x0F);
        var sixteen = Vector128.Create((sbyte)16);
        var fifth = Vector128.Create((byte)0x10);
        var bit = Vector128.Create(0x8040201008040201ul).AsByte();
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q5_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var d = Vector128.Create(Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb));
            // Byte e of the lower (upper) half takes qh byte e/8 (2 + e/8) and tests bit e%8: the fifth bits of elements 0..15 (16..31).
            var qh = Vector128.Create(Unsafe.ReadUnaligned<uint>(wb + 2)).AsByte();
            var bitsLo = Vector128.Shuffle(qh, Vector128.Create(0x0000000000000000ul, 0x0101010101010101ul).AsByte()) & bit;
            var bitsHi = Vector128.Shuffle(qh, Vector128.Create(0x0202020202020202ul, 0x0303030303030303ul).AsByte()) & bit;
            var packed = Vector128.Load(wb + 6);
            var q0 = ((packed & mask) | (Vector128.Equals(bitsLo, bit) & fifth)).AsSByte() - sixteen;
            var q1 = (((packed >> 4) & mask) | (Vector128.Equals(bitsHi, bit) & fifth)).AsSByte() - sixteen;
            var qx = (sbyte*)(xb + 2);
            lo = Vector128.FusedMultiplyAdd(d, Vector128.ConvertToSingle(DotLanes(q0, Vector128.Load(qx))), lo);
            hi = Vector128.FusedMultiplyAdd(d, Vector128.ConvertToSingle(DotLanes(q1, Vector128.Load(qx + 16))), hi);
        }

        return HorizontalSum(lo, hi);
    }

    internal static float Q4KPortable(byte* w, byte* x, int n)
    {
        Vector128<float> lo = default, hi = default, accMin = default;
        var mask = Vector128.Create((byte)0x0F);
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
            var minProducts = Vector128.Create(MinPair(mn, bsums, 0), MinPair(mn, bsums, 1), MinPair(mn, bsums, 2), MinPair(mn, bsums, 3));
            accMin = Vector128.FusedMultiplyAdd(Vector128.Create(dmin), Vector128.ConvertToSingle(minProducts), accMin);

            Vector128<int> sumLo = default, sumHi = default;
            var qs = wb + 16;
            var q8 = (sbyte*)(xb + 4);
            for (var j = 0; j < 4; j++)
            {
                var b0 = Vector128.Load(qs + (32 * j));
                var b1 = Vector128.Load(qs + (32 * j) + 16);
                var y = q8 + (64 * j);
                sumLo += (DotLanes((b0 & mask).AsSByte(), Vector128.Load(y)) * sc[2 * j])
                    + (DotLanes(((b0 >> 4) & mask).AsSByte(), Vector128.Load(y + 32)) * sc[(2 * j) + 1]);
                sumHi += (DotLanes((b1 & mask).AsSByte(), Vector128.Load(y + 16)) * sc[2 * j])
                    + (DotLanes(((b1 >> 4) & mask).AsSByte(), Vector128.Load(y + 48)) * sc[(2 * j) + 1]);
            }

            var vd = Vector128.Create(d);
            lo = Vector128.FusedMultiplyAdd(vd, Vector128.ConvertToSingle(sumLo), lo);
            hi = Vector128.FusedMultiplyAdd(vd, Vector128.ConvertToSingle(sumHi), hi);
        }

        return HorizontalSum(lo, hi) + MinTotal(accMin);
    }

    internal static float Q5KPortable(byte* w, byte* x, int n)
    {
        Vector128<float> lo = default, hi = default;
        var summs = 0f;
        var mask = Vector128.Create((byte)0x0F);
        var one = Vector128.Create((byte)1);
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
            var total = (MinPair(mn, bsums, 0) + MinPair(mn, bsums, 1)) + (MinPair(mn, bsums, 2) + MinPair(mn, bsums, 3));
            summs = MathF.FusedMultiplyAdd(dmin, total, summs);

            var qh0 = Vector128.Load(wb + 16);
            var qh1 = Vector128.Load(wb + 32);
            var qs = wb + 48;
            var q8 = (sbyte*)(xb + 4);
            Vector128<int> sumLo = default, sumHi = default;
            for (var j = 0; j < 4; j++)
            {
                var b0 = Vector128.Load(qs + (32 * j));
                var b1 = Vector128.Load(qs + (32 * j) + 16);
                var s0 = 2 * j;
                var s1 = s0 + 1;
                var y = q8 + (64 * j);
                var l0 = (b0 & mask) | (((qh0 >> s0) & one) << 4);
                var l1 = (b1 & mask) | (((qh1 >> s0) & one) << 4);
                var h0 = ((b0 >> 4) & mask) | (((qh0 >> s1) & one) << 4);
                var h1 = ((b1 >> 4) & mask) | (((qh1 >> s1) & one) << 4);
                sumLo += (DotLanes(l0.AsSByte(), Vector128.Load(y)) * sc[s0]) + (DotLanes(h0.AsSByte(), Vector128.Load(y + 32)) * sc[s1]);
                sumHi += (DotLanes(l1.AsSByte(), Vector128.Load(y + 16)) * sc[s0]) + (DotLanes(h1.AsSByte(), Vector128.Load(y + 48)) * sc[s1]);
            }

            var vd = Vector128.Create(d);
            lo = Vector128.FusedMultiplyAdd(vd, Vector128.ConvertToSingle(sumLo), lo);
            hi = Vector128.FusedMultiplyAdd(vd, Vector128.ConvertToSingle(sumHi), hi);
        }

        return HorizontalSum(lo, hi) + summs;
    }

    internal static float Q6KPortable(byte* w, byte* x, int n)
    {
        Vector128<float> lo = default, hi = default;
        var mask = Vector128.Create((byte)0x0F);
        var three = Vector128.Create((byte)3);
        var offset = Vector128.Create((sbyte)32);
        for (var b = 0; b < n / 256; b++)
        {
            var wb = w + (b * Q6KBytes);
            var xb = x + (b * Q8KBytes);
            var d = *(float*)xb * Float16.ToSingle(*(ushort*)(wb + 208));
            var scales = (sbyte*)(wb + 192);
            var q8 = (sbyte*)(xb + 4);
            Vector128<int> sumLo = default, sumHi = default;
            for (var half = 0; half < 2; half++)
            {
                var ql = wb + (64 * half);
                var qh = wb + 128 + (32 * half);
                var y = q8 + (128 * half);
                var s = scales + (8 * half);
                for (var part = 0; part < 2; part++)
                {
                    // part selects the 16-byte half of each 32-element chunk: lanes 0..3 or 4..7, scale 2i or 2i+1.
                    var l1 = Vector128.Load(ql + (16 * part));
                    var l2 = Vector128.Load(ql + 32 + (16 * part));
                    var h = Vector128.Load(qh + (16 * part));
                    var q0 = ((l1 & mask) | ((h & three) << 4)).AsSByte() - offset;
                    var q1 = ((l2 & mask) | (((h >> 2) & three) << 4)).AsSByte() - offset;
                    var q2 = ((l1 >> 4) | (((h >> 4) & three) << 4)).AsSByte() - offset;
                    var q3 = ((l2 >> 4) | ((h >> 6) << 4)).AsSByte() - offset;
                    var yp = y + (16 * part);
                    var sum = (DotLanes(q0, Vector128.Load(yp)) * s[part]) + (DotLanes(q1, Vector128.Load(yp + 32)) * s[2 + part])
                        + (DotLanes(q2, Vector128.Load(yp + 64)) * s[4 + part]) + (DotLanes(q3, Vector128.Load(yp + 96)) * s[6 + part]);
                    if (part == 0)
                    {
                        sumLo += sum;
                    }
                    else
                    {
                        sumHi += sum;
                    }
                }
            }

            var vd = Vector128.Create(d);
            lo = Vector128.FusedMultiplyAdd(vd, Vector128.ConvertToSingle(sumLo), lo);
            hi = Vector128.FusedMultiplyAdd(vd, Vector128.ConvertToSingle(sumHi), hi);
        }

        return HorizontalSum(lo, hi);
    }

    /// <summary>Int lane l (0..3) = Σ a[4l..4l+3]·b[4l..4l+3]: Arm's sdot, AdvSimd widening pairs, or portable shifts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> DotLanes(Vector128<sbyte> a, Vector128<sbyte> b)
    {
        if (Dp.IsSupported)
        {
            return Dp.DotProduct(Vector128<int>.Zero, a, b);
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            var lo = AdvSimd.AddPairwiseWidening(AdvSimd.MultiplyWideningLower(a.GetLower(), b.GetLower()));
            var hi = AdvSimd.AddPairwiseWidening(AdvSimd.MultiplyWideningUpper(a, b));
            return AdvSimd.Arm64.AddPairwise(lo, hi);
        }

        // Products fit in 16 bits (|a·b| ≤ 128·127); pairs are summed by splitting 32-bit lanes, quads by splitting 64-bit.
        var pl = (Vector128.WidenLower(a) * Vector128.WidenLower(b)).AsInt32();
        var ph = (Vector128.WidenUpper(a) * Vector128.WidenUpper(b)).AsInt32();
        var pairsLo = ((pl << 16) >> 16) + (pl >> 16);
        var pairsHi = ((ph << 16) >> 16) + (ph >> 16);
        var quadsLo = ((pairsLo.AsInt64() << 32) >> 32) + (pairsLo.AsInt64() >> 32);
        var quadsHi = ((pairsHi.AsInt64() << 32) >> 32) + (pairsHi.AsInt64() >> 32);
        return Vector128.Narrow(quadsLo, quadsHi);
    }

    // hsum_float_8 of the register whose lanes 0..3 are lo and 4..7 are hi.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalSum(Vector128<float> lo, Vector128<float> hi)
    {
        var r = hi + lo;
        return (r.GetElement(0) + r.GetElement(2)) + (r.GetElement(1) + r.GetElement(3));
    }

    // GGML_F32x16_REDUCE over four 16-lane registers given as quarters s[4r + q].
    private static float Reduce4(ReadOnlySpan<Vector128<float>> s) => ReduceAdd(
        (s[0] + s[8]) + (s[4] + s[12]), (s[1] + s[9]) + (s[5] + s[13]), (s[2] + s[10]) + (s[6] + s[14]), (s[3] + s[11]) + (s[7] + s[15]));

    // _mm512_reduce_add_ps of the register with quarters q0..q3 (lanes 0-3, 4-7, 8-11, 12-15).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ReduceAdd(Vector128<float> q0, Vector128<float> q1, Vector128<float> q2, Vector128<float> q3)
    {
        var r = (q3 + q1) + (q2 + q0);
        return (r.GetElement(0) + r.GetElement(2)) + (r.GetElement(1) + r.GetElement(3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> WidenHalf(Vector128<uint> h)
    {
        var sign = (h & Vector128.Create(0x8000u)) << 16;
        var magnitude = (h & Vector128.Create(0x7fffu)) << 13;
        var value = magnitude.AsSingle() * Vector128.Create(0x77800000u).AsSingle();
        var infOrNaN = Vector128.Equals(h & Vector128.Create(0x7c00u), Vector128.Create(0x7c00u));
        var special = (magnitude | Vector128.Create(0x7f800000u)).AsSingle();
        return Vector128.ConditionalSelect(infOrNaN.AsSingle(), special, value) | sign.AsSingle();
    }
}
