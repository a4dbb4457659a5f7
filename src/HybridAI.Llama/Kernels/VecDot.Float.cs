using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// F32, F16 and BF16 kernels. The activation row is F32 for all three: for F16 and BF16 weights it holds the activations
/// already rounded to F16/BF16 and widened back (exact), which is what ggml multiplies after its own widening.
/// </content>
internal static unsafe partial class VecDot
{
    // ggml_vec_dot_f32 (AVX: 4 accumulators of 8 lanes over steps of 32, GGML_F32x8_REDUCE, float leftovers with FMA).
    internal static float F32Scalar(byte* w, byte* x, int n)
    {
        float* a = (float*)w, b = (float*)x;
        FloatLanes8 s0 = default, s1 = default, s2 = default, s3 = default;
        var np = n & ~31;
        for (var i = 0; i < np; i += 32)
        {
            for (var l = 0; l < 8; l++)
            {
                s0[l] = MathF.FusedMultiplyAdd(a[i + l], b[i + l], s0[l]);
                s1[l] = MathF.FusedMultiplyAdd(a[i + 8 + l], b[i + 8 + l], s1[l]);
                s2[l] = MathF.FusedMultiplyAdd(a[i + 16 + l], b[i + 16 + l], s2[l]);
                s3[l] = MathF.FusedMultiplyAdd(a[i + 24 + l], b[i + 24 + l], s3[l]);
            }
        }

        var sum = Reduce4(ref s0, ref s1, ref s2, ref s3);
        for (var i = np; i < n; i++)
        {
            sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        }

        return sum;
    }

    internal static float F32Simd(byte* w, byte* x, int n)
    {
        float* a = (float*)w, b = (float*)x;
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        var np = n & ~31;
        for (var i = 0; i < np; i += 32)
        {
            s0 = Fma.MultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), s0);
            s1 = Fma.MultiplyAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), s1);
            s2 = Fma.MultiplyAdd(Vector256.Load(a + i + 16), Vector256.Load(b + i + 16), s2);
            s3 = Fma.MultiplyAdd(Vector256.Load(a + i + 24), Vector256.Load(b + i + 24), s3);
        }

        var sum = Reduce4(s0, s1, s2, s3);
        for (var i = np; i < n; i++)
        {
            sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        }

        return sum;
    }

    // ggml_vec_dot_f16: as F32 but the leftovers are summed in double and the result rounded once.
    internal static float F16Scalar(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        FloatLanes8 s0 = default, s1 = default, s2 = default, s3 = default;
        var np = n & ~31;
        for (var i = 0; i < np; i += 32)
        {
            for (var l = 0; l < 8; l++)
            {
                s0[l] = MathF.FusedMultiplyAdd(Float16.ToSingle(a[i + l]), b[i + l], s0[l]);
                s1[l] = MathF.FusedMultiplyAdd(Float16.ToSingle(a[i + 8 + l]), b[i + 8 + l], s1[l]);
                s2[l] = MathF.FusedMultiplyAdd(Float16.ToSingle(a[i + 16 + l]), b[i + 16 + l], s2[l]);
                s3[l] = MathF.FusedMultiplyAdd(Float16.ToSingle(a[i + 24 + l]), b[i + 24 + l], s3[l]);
            }
        }

        double sum = Reduce4(ref s0, ref s1, ref s2, ref s3);
        for (var i = np; i < n; i++)
        {
            sum += Float16.ToSingle(a[i]) * b[i];
        }

        return (float)sum;
    }

    internal static float F16Simd(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        var np = n & ~31;
        for (var i = 0; i < np; i += 32)
        {
            s0 = Fma.MultiplyAdd(WidenHalf(a + i), Vector256.Load(b + i), s0);
            s1 = Fma.MultiplyAdd(WidenHalf(a + i + 8), Vector256.Load(b + i + 8), s1);
            s2 = Fma.MultiplyAdd(WidenHalf(a + i + 16), Vector256.Load(b + i + 16), s2);
            s3 = Fma.MultiplyAdd(WidenHalf(a + i + 24), Vector256.Load(b + i + 24), s3);
        }

        double sum = Reduce4(s0, s1, s2, s3);
        for (var i = np; i < n; i++)
        {
            sum += Float16.ToSingle(a[i]) * b[i];
        }

        return (float)sum;
    }

    // ggml_vec_dot_bf16 (AVX2 without AVX512BF16): 4 accumulators c1..c4 of products, reduced (c1+c3)+(c2+c4), then
    // high+low, movehl, movehdup; the sum and the leftovers in double. Products of two bf16 are exact in F32.
    internal static float BF16Scalar(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        FloatLanes8 c1 = default, c2 = default, c3 = default, c4 = default;
        var i = 0;
        for (; i + 32 <= n; i += 32)
        {
            for (var l = 0; l < 8; l++)
            {
                c1[l] += BFloat16.ToSingle(a[i + l]) * b[i + l];
                c2[l] += BFloat16.ToSingle(a[i + 8 + l]) * b[i + 8 + l];
                c3[l] += BFloat16.ToSingle(a[i + 16 + l]) * b[i + 16 + l];
                c4[l] += BFloat16.ToSingle(a[i + 24 + l]) * b[i + 24 + l];
            }
        }

        FloatLanes8 c = default;
        for (var l = 0; l < 8; l++)
        {
            c[l] = (c1[l] + c3[l]) + (c2[l] + c4[l]);
        }

        double sum = c.HorizontalSum();
        for (; i < n; i++)
        {
            sum += BFloat16.ToSingle(a[i]) * b[i];
        }

        return (float)sum;
    }

    internal static float BF16Simd(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        Vector256<float> c1 = default, c2 = default, c3 = default, c4 = default;
        var i = 0;
        for (; i + 32 <= n; i += 32)
        {
            c1 += WidenBFloat(a + i) * Vector256.Load(b + i);
            c2 += WidenBFloat(a + i + 8) * Vector256.Load(b + i + 8);
            c3 += WidenBFloat(a + i + 16) * Vector256.Load(b + i + 16);
            c4 += WidenBFloat(a + i + 24) * Vector256.Load(b + i + 24);
        }

        double sum = HorizontalSum((c1 + c3) + (c2 + c4));
        for (; i < n; i++)
        {
            sum += BFloat16.ToSingle(a[i]) * b[i];
        }

        return (float)sum;
    }

    // llamafile tinyBLAS<8, __m256> (batches, n % 8 == 0): one 8-lane FMA accumulator, then hsum.
    internal static float F32GemmScalar(byte* w, byte* x, int n)
    {
        float* a = (float*)w, b = (float*)x;
        FloatLanes8 acc = default;
        for (var i = 0; i < n; i += 8)
        {
            for (var l = 0; l < 8; l++)
            {
                acc[l] = MathF.FusedMultiplyAdd(a[i + l], b[i + l], acc[l]);
            }
        }

        return acc.HorizontalSum();
    }

    internal static float F32GemmSimd(byte* w, byte* x, int n)
    {
        float* a = (float*)w, b = (float*)x;
        var acc = Vector256<float>.Zero;
        for (var i = 0; i < n; i += 8)
        {
            acc = Fma.MultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
        }

        return HorizontalSum(acc);
    }

    internal static float F16GemmScalar(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        FloatLanes8 acc = default;
        for (var i = 0; i < n; i += 8)
        {
            for (var l = 0; l < 8; l++)
            {
                acc[l] = MathF.FusedMultiplyAdd(Float16.ToSingle(a[i + l]), b[i + l], acc[l]);
            }
        }

        return acc.HorizontalSum();
    }

    internal static float F16GemmSimd(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        var acc = Vector256<float>.Zero;
        for (var i = 0; i < n; i += 8)
        {
            acc = Fma.MultiplyAdd(WidenHalf(a + i), Vector256.Load(b + i), acc);
        }

        return HorizontalSum(acc);
    }

    internal static float BF16GemmScalar(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        FloatLanes8 acc = default;
        for (var i = 0; i < n; i += 8)
        {
            for (var l = 0; l < 8; l++)
            {
                acc[l] += BFloat16.ToSingle(a[i + l]) * b[i + l];
            }
        }

        return acc.HorizontalSum();
    }

    internal static float BF16GemmSimd(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        var acc = Vector256<float>.Zero;
        for (var i = 0; i < n; i += 8)
        {
            acc += WidenBFloat(a + i) * Vector256.Load(b + i);
        }

        return HorizontalSum(acc);
    }

    /// <summary>ggml's hsum_float_8 on a register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float HorizontalSum(Vector256<float> v)
    {
        var r = v.GetUpper() + v.GetLower();
        return (r.GetElement(0) + r.GetElement(2)) + (r.GetElement(1) + r.GetElement(3));
    }

    /// <summary>Eight F16 values widened to F32 exactly (the F16C conversion, done with integer operations).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> WidenHalf(ushort* p)
    {
        var h = Avx2.ConvertToVector256Int32(Vector128.Load(p));
        var sign = (h & Vector256.Create(0x8000)) << 16;
        var magnitude = (h & Vector256.Create(0x7fff)) << 13;
        // Exponent rebias by multiplying with 2^112: exact for normals and subnormals alike.
        var value = magnitude.AsSingle() * Vector256.Create(0x77800000).AsSingle();
        var infOrNaN = Vector256.Equals(h & Vector256.Create(0x7c00), Vector256.Create(0x7c00));
        var special = (magnitude | Vector256.Create(0x7f800000)).AsSingle();
        return Vector256.ConditionalSelect(infOrNaN.AsSingle(), special, value) | sign.AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> WidenBFloat(ushort* p) => (Avx2.ConvertToVector256Int32(Vector128.Load(p)) << 16).AsSingle();

    // GGML_F32x8_REDUCE: x0+=x2, x1+=x3, x0+=x1, then (low+high) and two hadds.
    private static float Reduce4(ref FloatLanes8 s0, ref FloatLanes8 s1, ref FloatLanes8 s2, ref FloatLanes8 s3)
    {
        Span<float> t = stackalloc float[4];
        for (var l = 0; l < 4; l++)
        {
            var lo = (s0[l] + s2[l]) + (s1[l] + s3[l]);
            var hi = (s0[l + 4] + s2[l + 4]) + (s1[l + 4] + s3[l + 4]);
            t[l] = lo + hi;
        }

        return (t[0] + t[1]) + (t[2] + t[3]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Reduce4(Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3)
    {
        var s = (s0 + s2) + (s1 + s3);
        var t = s.GetLower() + s.GetUpper();
        return (t.GetElement(0) + t.GetElement(1)) + (t.GetElement(2) + t.GetElement(3));
    }
}
