using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// F32, F16 and BF16 kernels. The activation row is F32 for all three: for F16 and BF16 weights it holds the activations
/// already rounded to F16/BF16 and widened back (exact), which is what ggml multiplies after its own widening.
/// They follow ggml built for AVX-512 with AVX512_BF16 (the fixtures' reference machine, see NUMERICS.md): a 16-lane register
/// is two 256-bit halves in the SIMD kernels and a <see cref="FloatLanes16"/> in the scalar twins.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>Elements per step of ggml_vec_dot_f32/f16 with AVX-512 (GGML_F32_STEP: four registers of 16).</summary>
    internal const int FloatStep = 64;

    // ggml_vec_dot_f32 (AVX-512): 4 accumulators of 16 lanes over steps of 64, GGML_F32x16_REDUCE (x0+=x2, x1+=x3, x0+=x1,
    // _mm512_reduce_add_ps), leftovers added one by one to the float sum.
    internal static float F32Scalar(byte* w, byte* x, int n)
    {
        float* a = (float*)w, b = (float*)x;
        FloatLanes16 s0 = default, s1 = default, s2 = default, s3 = default;
        var np = n & ~(FloatStep - 1);
        for (var i = 0; i < np; i += FloatStep)
        {
            for (var l = 0; l < 16; l++)
            {
                s0[l] = MathF.FusedMultiplyAdd(a[i + l], b[i + l], s0[l]);
                s1[l] = MathF.FusedMultiplyAdd(a[i + 16 + l], b[i + 16 + l], s1[l]);
                s2[l] = MathF.FusedMultiplyAdd(a[i + 32 + l], b[i + 32 + l], s2[l]);
                s3[l] = MathF.FusedMultiplyAdd(a[i + 48 + l], b[i + 48 + l], s3[l]);
            }
        }

        var sum = Reduce4(ref s0, ref s1, ref s2, ref s3);
        for (var i = np; i < n; i++)
        {
            sum = F32Leftover(a[i], b[i], sum, i, n);
        }

        return sum;
    }

    internal static float F32Simd(byte* w, byte* x, int n)
    {
        float* a = (float*)w, b = (float*)x;
        Vector256<float> s0 = default, t0 = default, s1 = default, t1 = default, s2 = default, t2 = default, s3 = default, t3 = default;
        var np = n & ~(FloatStep - 1);
        for (var i = 0; i < np; i += FloatStep)
        {
            s0 = Fma.MultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), s0);
            t0 = Fma.MultiplyAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), t0);
            s1 = Fma.MultiplyAdd(Vector256.Load(a + i + 16), Vector256.Load(b + i + 16), s1);
            t1 = Fma.MultiplyAdd(Vector256.Load(a + i + 24), Vector256.Load(b + i + 24), t1);
            s2 = Fma.MultiplyAdd(Vector256.Load(a + i + 32), Vector256.Load(b + i + 32), s2);
            t2 = Fma.MultiplyAdd(Vector256.Load(a + i + 40), Vector256.Load(b + i + 40), t2);
            s3 = Fma.MultiplyAdd(Vector256.Load(a + i + 48), Vector256.Load(b + i + 48), s3);
            t3 = Fma.MultiplyAdd(Vector256.Load(a + i + 56), Vector256.Load(b + i + 56), t3);
        }

        var sum = VectorMath.ReduceAdd((s0 + s2) + (s1 + s3), (t0 + t2) + (t1 + t3));
        for (var i = np; i < n; i++)
        {
            sum = F32Leftover(a[i], b[i], sum, i, n);
        }

        return sum;
    }

    // ggml_vec_dot_f16 (AVX-512): as F32 but the reduced sum is a double, the leftovers are added in double and the result
    // is rounded once.
    internal static float F16Scalar(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        FloatLanes16 s0 = default, s1 = default, s2 = default, s3 = default;
        var np = n & ~(FloatStep - 1);
        for (var i = 0; i < np; i += FloatStep)
        {
            for (var l = 0; l < 16; l++)
            {
                s0[l] = MathF.FusedMultiplyAdd(Float16.ToSingle(a[i + l]), b[i + l], s0[l]);
                s1[l] = MathF.FusedMultiplyAdd(Float16.ToSingle(a[i + 16 + l]), b[i + 16 + l], s1[l]);
                s2[l] = MathF.FusedMultiplyAdd(Float16.ToSingle(a[i + 32 + l]), b[i + 32 + l], s2[l]);
                s3[l] = MathF.FusedMultiplyAdd(Float16.ToSingle(a[i + 48 + l]), b[i + 48 + l], s3[l]);
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
        Vector256<float> s0 = default, t0 = default, s1 = default, t1 = default, s2 = default, t2 = default, s3 = default, t3 = default;
        var np = n & ~(FloatStep - 1);
        for (var i = 0; i < np; i += FloatStep)
        {
            s0 = Fma.MultiplyAdd(WidenHalf(a + i), Vector256.Load(b + i), s0);
            t0 = Fma.MultiplyAdd(WidenHalf(a + i + 8), Vector256.Load(b + i + 8), t0);
            s1 = Fma.MultiplyAdd(WidenHalf(a + i + 16), Vector256.Load(b + i + 16), s1);
            t1 = Fma.MultiplyAdd(WidenHalf(a + i + 24), Vector256.Load(b + i + 24), t1);
            s2 = Fma.MultiplyAdd(WidenHalf(a + i + 32), Vector256.Load(b + i + 32), s2);
            t2 = Fma.MultiplyAdd(WidenHalf(a + i + 40), Vector256.Load(b + i + 40), t2);
            s3 = Fma.MultiplyAdd(WidenHalf(a + i + 48), Vector256.Load(b + i + 48), s3);
            t3 = Fma.MultiplyAdd(WidenHalf(a + i + 56), Vector256.Load(b + i + 56), t3);
        }

        double sum = VectorMath.ReduceAdd((s0 + s2) + (s1 + s3), (t0 + t2) + (t1 + t3));
        for (var i = np; i < n; i++)
        {
            sum += Float16.ToSingle(a[i]) * b[i];
        }

        return (float)sum;
    }

    // ggml_vec_dot_bf16 with AVX512_BF16: steps of 64, c1 over the first 32 elements and c2 over the next 32, each updated by
    // _mm512_dpbf16_ps (lane l adds the product of elements 2l+1, then of 2l; the products of two bf16 are exact in F32, so
    // each addition is one rounding), the sum = (double)reduce(c1) + (double)reduce(c2), and the leftovers in double.
    internal static float BF16Scalar(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        FloatLanes16 c1 = default, c2 = default;
        var i = 0;
        for (; i + 64 <= n; i += 64)
        {
            for (var l = 0; l < 16; l++)
            {
                c1[l] += BFloat16.ToSingle(a[i + (2 * l) + 1]) * b[i + (2 * l) + 1];
                c1[l] += BFloat16.ToSingle(a[i + (2 * l)]) * b[i + (2 * l)];
                c2[l] += BFloat16.ToSingle(a[i + 32 + (2 * l) + 1]) * b[i + 32 + (2 * l) + 1];
                c2[l] += BFloat16.ToSingle(a[i + 32 + (2 * l)]) * b[i + 32 + (2 * l)];
            }
        }

        double sum = 0;
        sum += c1.ReduceAdd();
        sum += c2.ReduceAdd();
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
        Vector256<float> c1Lo = default, c1Hi = default, c2Lo = default, c2Hi = default;
        var i = 0;
        for (; i + 64 <= n; i += 64)
        {
            DotPairs(a + i, b + i, ref c1Lo);
            DotPairs(a + i + 16, b + i + 16, ref c1Hi);
            DotPairs(a + i + 32, b + i + 32, ref c2Lo);
            DotPairs(a + i + 48, b + i + 48, ref c2Hi);
        }

        double sum = 0;
        sum += VectorMath.ReduceAdd(c1Lo, c1Hi);
        sum += VectorMath.ReduceAdd(c2Lo, c2Hi);
        for (; i < n; i++)
        {
            sum += BFloat16.ToSingle(a[i]) * b[i];
        }

        return (float)sum;
    }

    // llamafile tinyBLAS<16, __m512> (batches, n % 16 == 0): one 16-lane FMA accumulator over chunks of 16, then
    // _mm512_reduce_add_ps.
    internal static float F32GemmScalar(byte* w, byte* x, int n)
    {
        float* a = (float*)w, b = (float*)x;
        FloatLanes16 acc = default;
        for (var i = 0; i < n; i += 16)
        {
            for (var l = 0; l < 16; l++)
            {
                acc[l] = MathF.FusedMultiplyAdd(a[i + l], b[i + l], acc[l]);
            }
        }

        return acc.ReduceAdd();
    }

    internal static float F32GemmSimd(byte* w, byte* x, int n)
    {
        float* a = (float*)w, b = (float*)x;
        Vector256<float> lo = default, hi = default;
        for (var i = 0; i < n; i += 16)
        {
            lo = Fma.MultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), lo);
            hi = Fma.MultiplyAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), hi);
        }

        return VectorMath.ReduceAdd(lo, hi);
    }

    internal static float F16GemmScalar(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        FloatLanes16 acc = default;
        for (var i = 0; i < n; i += 16)
        {
            for (var l = 0; l < 16; l++)
            {
                acc[l] = MathF.FusedMultiplyAdd(Float16.ToSingle(a[i + l]), b[i + l], acc[l]);
            }
        }

        return acc.ReduceAdd();
    }

    internal static float F16GemmSimd(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        Vector256<float> lo = default, hi = default;
        for (var i = 0; i < n; i += 16)
        {
            lo = Fma.MultiplyAdd(WidenHalf(a + i), Vector256.Load(b + i), lo);
            hi = Fma.MultiplyAdd(WidenHalf(a + i + 8), Vector256.Load(b + i + 8), hi);
        }

        return VectorMath.ReduceAdd(lo, hi);
    }

    // tinyBLAS<32, __m512, __m512bh> (AVX512_BF16; batches, n % 32 == 0): one accumulator updated by _mm512_dpbf16_ps over
    // chunks of 32, then _mm512_reduce_add_ps.
    internal static float BF16GemmScalar(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        FloatLanes16 acc = default;
        for (var i = 0; i < n; i += 32)
        {
            for (var l = 0; l < 16; l++)
            {
                acc[l] += BFloat16.ToSingle(a[i + (2 * l) + 1]) * b[i + (2 * l) + 1];
                acc[l] += BFloat16.ToSingle(a[i + (2 * l)]) * b[i + (2 * l)];
            }
        }

        return acc.ReduceAdd();
    }

    internal static float BF16GemmSimd(byte* w, byte* x, int n)
    {
        var a = (ushort*)w;
        var b = (float*)x;
        Vector256<float> lo = default, hi = default;
        for (var i = 0; i < n; i += 32)
        {
            DotPairs(a + i, b + i, ref lo);
            DotPairs(a + i + 16, b + i + 16, ref hi);
        }

        return VectorMath.ReduceAdd(lo, hi);
    }

    /// <summary>
    /// One step of ggml_vec_dot_f32's leftover loop, <c>sumf += x[i]*y[i]</c>, as GCC compiled it: the loop is vectorised
    /// 8 elements at a time with the products rounded (vmulps) and added to the sum in order, and the last n % 8 elements run
    /// in the scalar epilogue, where the product is fused into the addition (FMA). Established on the fixtures with a real
    /// llama.cpp: zeroing ffn_down's last 4 of 172 columns in stories260K-f32 made the engine agree with it bit for bit, and
    /// this rule then made every variant agree.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float F32Leftover(float a, float b, float sum, int i, int n) =>
        i >= n - (n % 8) ? MathF.FusedMultiplyAdd(a, b, sum) : sum + (a * b);

    /// <summary>
    /// Eight lanes of _mm512_dpbf16_ps: lane l adds w[2l+1]·x[2l+1], then w[2l]·x[2l] (16 bf16 weights, 16 activations).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DotPairs(ushort* w, float* x, ref Vector256<float> acc)
    {
        var bits = Vector256.Load((uint*)w);
        var even = (bits << 16).AsSingle();
        var odd = (bits & Vector256.Create(0xffff0000u)).AsSingle();
        var order = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
        var p = Avx2.PermuteVar8x32(Vector256.Load(x), order);
        var q = Avx2.PermuteVar8x32(Vector256.Load(x + 8), order);
        acc += odd * Avx2.Permute2x128(p, q, 0x31);
        acc += even * Avx2.Permute2x128(p, q, 0x20);
    }

    // GGML_F32x16_REDUCE: x0+=x2, x1+=x3, x0+=x1, then _mm512_reduce_add_ps.
    private static float Reduce4(ref FloatLanes16 s0, ref FloatLanes16 s1, ref FloatLanes16 s2, ref FloatLanes16 s3)
    {
        FloatLanes16 t = default;
        for (var l = 0; l < 16; l++)
        {
            t[l] = (s0[l] + s2[l]) + (s1[l] + s3[l]);
        }

        return t.ReduceAdd();
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
}
