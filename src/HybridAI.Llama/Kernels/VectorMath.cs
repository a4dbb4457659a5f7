using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HybridAI.Llama;

/// <summary>
/// The float operations of llama.cpp's CPU backend (ggml, AVX2 + FMA build) that the attention and the feed-forward activation use,
/// reproduced operation for operation so that every result is bit-identical: the same lane grouping, the same fused
/// multiply-adds, the same horizontal-sum order and ggml's vectorised <c>exp</c>.
/// </summary>
/// <remarks>
/// Written with the cross-platform <see cref="Vector256{T}"/> API: on AVX2 + FMA hardware each call maps to the instruction
/// ggml uses; elsewhere .NET emulates the lanes and <see cref="Vector256.FusedMultiplyAdd(Vector256{float}, Vector256{float}, Vector256{float})"/>
/// stays a true fused operation, so results are the same everywhere (only slower). Stateless; thread-safe.
/// </remarks>
internal static class VectorMath
{
    /// <summary>
    /// ggml_vec_dot_f32: four 8-lane FMA accumulators over steps of 32, reduced (a0+a2, a1+a3, then the two, then the 128-bit halves,
    /// then two horizontal adds); the elements past the last full step are added one by one to the float sum.
    /// </summary>
    /// <remarks>
    /// The tail products are rounded before they are added (no fused multiply-add): with llama.cpp's attention on 8-wide heads,
    /// which runs entirely in this tail, that matches its greedy output step for step where a fused tail does not.
    /// </remarks>
    public static float DotF32(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var n = x.Length;
        var np = n & ~31;
        var sum = SteppedDot(x, y, np);

        for (var i = np; i < n; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>
    /// The vector part shared by ggml_vec_dot_f32 and ggml_vec_dot_f16: four 8-lane FMA accumulators over the first
    /// <paramref name="np"/> elements (a multiple of 32), reduced as (a0+a2)+(a1+a3), then horizontally. Zero when np is 0.
    /// </summary>
    private static float SteppedDot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int np)
    {
        if (np == 0)
        {
            return 0.0f;
        }

        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero;
        var a3 = Vector256<float>.Zero;
        for (var i = 0; i < np; i += 32)
        {
            a0 = Vector256.FusedMultiplyAdd(Load(ref px, i), Load(ref py, i), a0);
            a1 = Vector256.FusedMultiplyAdd(Load(ref px, i + 8), Load(ref py, i + 8), a1);
            a2 = Vector256.FusedMultiplyAdd(Load(ref px, i + 16), Load(ref py, i + 16), a2);
            a3 = Vector256.FusedMultiplyAdd(Load(ref px, i + 24), Load(ref py, i + 24), a3);
        }

        return ReduceDot((a0 + a2) + (a1 + a3));
    }

    /// <summary>
    /// ggml_vec_dot_f16 on F16 values already widened to float (exact): the same four accumulators as <see cref="DotF32"/>, but the
    /// sum is a double and the tail products (exact in float) are added in double.
    /// </summary>
    public static float DotF16(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var n = x.Length;
        var np = n & ~31;
        double sum = SteppedDot(x, y, np);

        for (var i = np; i < n; i++)
        {
            sum += x[i] * y[i];
        }

        return (float)sum;
    }

    /// <summary>
    /// llamafile's tinyBLAS (the batched F32 and F16 matmul, length a multiple of 8): one 8-lane FMA accumulator per output over
    /// consecutive chunks of 8, then its horizontal sum (upper + lower halves, then the movehl/movehdup pairs).
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ or are not a multiple of 8 (tinyBLAS is not used then).</exception>
    public static float DotTiled(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var n = x.Length;
        if (n % 8 != 0 || y.Length != n)
        {
            throw new ArgumentException($"tinyBLAS order needs two equal lengths that are a multiple of 8; got {n} and {y.Length}.");
        }

        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        var a = Vector256<float>.Zero;
        for (var i = 0; i < n; i += 8)
        {
            a = Vector256.FusedMultiplyAdd(Load(ref px, i), Load(ref py, i), a);
        }

        return HorizontalSum(a);
    }

    /// <summary>
    /// ggml_vec_soft_max_f32 followed by the 1/sum scaling of ggml's soft_max: y = e^(x - max) over 8-wide chunks with
    /// <see cref="Exp"/>, each chunk's horizontal sum added to a double, and a scalar <c>expf</c> tail; then y *= (float)(1/sum).
    /// </summary>
    public static void SoftMax(Span<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var value in values)
        {
            max = value > max ? value : max;
        }

        var n = values.Length;
        var i = 0;
        double sum = 0;
        ref var p = ref MemoryMarshal.GetReference(values);
        var vmax = Vector256.Create(max);
        for (; i + 8 <= n; i += 8)
        {
            var e = Exp(Load(ref p, i) - vmax);
            e.StoreUnsafe(ref p, (nuint)i);
            sum += HorizontalSum(e);
        }

        for (; i < n; i++)
        {
            var e = MathF.Exp(values[i] - max);
            values[i] = e;
            sum += e;
        }

        TensorPrimitives.Multiply(values, (float)(1.0 / sum), values);
    }

    /// <summary>ggml_vec_silu_f32 then ggml_mul: gate = silu(gate) · up, 8-wide with <see cref="Exp"/>, the tail with scalar <c>expf</c>.</summary>
    public static void SiluMultiply(Span<float> gate, ReadOnlySpan<float> up)
    {
        var n = gate.Length;
        var i = 0;
        ref var pg = ref MemoryMarshal.GetReference(gate);
        ref var pu = ref MemoryMarshal.GetReference(up);
        var one = Vector256.Create(1.0f);
        for (; i + 8 <= n; i += 8)
        {
            var x = Load(ref pg, i);
            var silu = x / (one + Exp(Vector256<float>.Zero - x));
            (silu * Load(ref pu, i)).StoreUnsafe(ref pg, (nuint)i);
        }

        for (; i < n; i++)
        {
            var x = gate[i];
            gate[i] = x / (1.0f + MathF.Exp(-x)) * up[i];
        }
    }

    /// <summary>
    /// ggml_v_expf (AVX2): e^x from the Arm optimized-routines polynomial, with its blends for |n| &gt; 126 (scaled) and
    /// |n| &gt; 192 (overflow to infinity / underflow to zero).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var r = Vector256.Create(Bits(0x4b400000));                               // 0x1.8p23
        var z = Vector256.FusedMultiplyAdd(x, Vector256.Create(Bits(0x3fb8aa3b)), r); // log2(e)
        var n = z - r;
        var b = Vector256.FusedMultiplyAdd(-n, Vector256.Create(Bits(0x35bfbe8e)),
            Vector256.FusedMultiplyAdd(-n, Vector256.Create(Bits(0x3f317200)), x));
        var e = Vector256.ShiftLeft(z.AsInt32(), 23);
        var k = (e + Vector256.Create(1.0f).AsInt32()).AsSingle();
        var absN = Vector256.AndNot(n, Vector256.Create(-0.0f));
        var c = Vector256.GreaterThan(absN, Vector256.Create(126.0f));
        var u = b * b;
        var j = Vector256.FusedMultiplyAdd(
            Vector256.FusedMultiplyAdd(
                Vector256.FusedMultiplyAdd(Vector256.Create(Bits(0x3c072010)), b, Vector256.Create(Bits(0x3d2b9f17))),
                u,
                Vector256.FusedMultiplyAdd(Vector256.Create(Bits(0x3e2aaf33)), b, Vector256.Create(Bits(0x3efffedb)))),
            u,
            Vector256.Create(Bits(0x3f7ffff6)) * b);
        var normal = Vector256.FusedMultiplyAdd(j, k, k);
        if (c.AsInt32() == Vector256<int>.Zero)
        {
            return normal;
        }

        var g = Vector256.LessThanOrEqual(n, Vector256<float>.Zero).AsInt32() & Vector256.Create(unchecked((int)0x82000000));
        var s1 = (g + Vector256.Create(0x7f000000)).AsSingle();
        var s2 = (e - g).AsSingle();
        var d = Vector256.GreaterThan(absN, Vector256.Create(192.0f));
        var scaled = Vector256.FusedMultiplyAdd(s2, j, s2) * s1;
        return (d & (s1 * s1)) | Vector256.AndNot(
            (c & scaled) | Vector256.AndNot(Vector256.FusedMultiplyAdd(k, j, k), c),
            d);
    }

    /// <summary>tinyBLAS's and soft_max's horizontal sum: t = hi + lo, then (t0 + t2) + (t1 + t3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalSum(Vector256<float> v)
    {
        var t = v.GetUpper() + v.GetLower();
        return (t.GetElement(0) + t.GetElement(2)) + (t.GetElement(1) + t.GetElement(3));
    }

    /// <summary>GGML_F32x8_REDUCE's last steps: t = lo + hi, then two horizontal adds: (t0 + t1) + (t2 + t3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ReduceDot(Vector256<float> v)
    {
        var t = v.GetLower() + v.GetUpper();
        return (t.GetElement(0) + t.GetElement(1)) + (t.GetElement(2) + t.GetElement(3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(ref float source, int offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);

    private static float Bits(int bits) => BitConverter.Int32BitsToSingle(bits);
}
