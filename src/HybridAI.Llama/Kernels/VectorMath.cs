using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HybridAI.Llama;

/// <summary>
/// The float operations of llama.cpp's CPU backend that the attention and the feed-forward activation use, reproduced operation
/// for operation so that every result is bit-identical: the same lane grouping, the same fused multiply-adds, the same
/// horizontal-sum order and ggml's vectorised <c>exp</c>. The reference is ggml built for AVX-512 (the machine that made the
/// fixtures' llama.cpp outputs has AVX-512; see NUMERICS.md): 16-lane registers, steps of 64 in the dot products, chunks of 16
/// in soft_max and SiLU, and <c>_mm512_reduce_add_ps</c> for horizontal sums.
/// </summary>
/// <remarks>
/// A 16-lane register is kept as two <see cref="Vector256{T}"/> halves (lanes 0-7 and 8-15): every operation is lane-wise, so the
/// halves give the same bits as one 512-bit register, and the code runs at full speed on AVX2 machines. Elsewhere .NET emulates
/// the lanes and <see cref="Vector256.FusedMultiplyAdd(Vector256{float}, Vector256{float}, Vector256{float})"/> stays a true fused
/// operation, so results are the same everywhere (only slower). Stateless; thread-safe.
/// </remarks>
internal static class VectorMath
{
    /// <summary>
    /// ggml_vec_dot_f32 (AVX-512): four 16-lane FMA accumulators over steps of 64, reduced (a0+a2, a1+a3, then the two, then
    /// <c>_mm512_reduce_add_ps</c>); the elements past the last full step are added one by one to the float sum.
    /// </summary>
    /// <remarks>
    /// The tail follows GCC's compiled loop (<see cref="VecDot.F32Leftover"/>): with 8-wide heads the key products run entirely
    /// in it, and so does the value product while fewer than 64 cells are attended.
    /// </remarks>
    public static float DotF32(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var n = x.Length;
        var np = n & ~(Step - 1);
        var sum = SteppedDot(x, y, np);

        for (var i = np; i < n; i++)
        {
            sum = VecDot.F32Leftover(x[i], y[i], sum, i, n);
        }

        return sum;
    }

    /// <summary>
    /// ggml_vec_dot_f16 on F16 values already widened to float (exact): the same four accumulators as <see cref="DotF32"/>, but the
    /// sum is a double and the tail products (exact in float) are added in double.
    /// </summary>
    public static float DotF16(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var n = x.Length;
        var np = n & ~(Step - 1);
        double sum = SteppedDot(x, y, np);

        for (var i = np; i < n; i++)
        {
            sum += x[i] * y[i];
        }

        return (float)sum;
    }

    /// <summary>
    /// <c>results[r] = DotF16(rows[r·stride ..][..y.Length], y)</c> for every r: two rows at a time share the loads of
    /// <paramref name="y"/>, each with its own four accumulators, so every result is <see cref="DotF16"/>'s bit for bit
    /// (the decode attention's key scores and value sums: one query or one row of weights against many rows).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="stride"/> is shorter than y, or <paramref name="rows"/> is too short.</exception>
    public static void DotF16Rows(ReadOnlySpan<float> rows, int stride, ReadOnlySpan<float> y, Span<float> results)
    {
        var n = y.Length;
        var count = results.Length;
        if (!RowsFit(rows.Length, stride, n, count))
        {
            throw new ArgumentException($"{count} rows of {n} floats at stride {stride} need {((long)Math.Max(0, count - 1) * stride) + n} floats; got {rows.Length}.");
        }

        var np = n & ~(Step - 1);
        ref var py = ref MemoryMarshal.GetReference(y);
        ref var pr = ref MemoryMarshal.GetReference(rows);
        var r = 0;
        for (; r + 2 <= count; r += 2)
        {
            ref var p0 = ref Unsafe.Add(ref pr, (nint)r * stride);
            ref var p1 = ref Unsafe.Add(ref p0, stride);
            var (s0, s1) = SteppedDot2(ref p0, ref p1, ref py, np);
            double sum0 = s0, sum1 = s1;
            for (var i = np; i < n; i++)
            {
                sum0 += Unsafe.Add(ref p0, i) * Unsafe.Add(ref py, i);
                sum1 += Unsafe.Add(ref p1, i) * Unsafe.Add(ref py, i);
            }

            results[r] = (float)sum0;
            results[r + 1] = (float)sum1;
        }

        if (r < count)
        {
            results[r] = DotF16(rows.Slice(r * stride, n), y);
        }
    }

    // Whether count rows of length floats, stride floats apart, lie within available floats.
    private static bool RowsFit(int available, int stride, int length, int count) =>
        stride >= length && (count == 0 || ((long)(count - 1) * stride) + length <= available);

    /// <summary>Gets whether llamafile's tinyBLAS (AVX-512: 16 lanes) takes a batched float product of this row length.</summary>
    public static bool FitsTiled(int length) => length % TiledLanes == 0;

    /// <summary>
    /// llamafile's tinyBLAS&lt;16, __m512&gt; (the batched F32 and F16 matmul, length a multiple of 16): one 16-lane FMA accumulator
    /// per output over consecutive chunks of 16, then <c>_mm512_reduce_add_ps</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ or do not fit tinyBLAS (<see cref="FitsTiled"/>; it is not used then).</exception>
    public static float DotTiled(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var n = x.Length;
        if (!FitsTiled(n) || y.Length != n)
        {
            throw new ArgumentException($"tinyBLAS order needs two equal lengths that are a multiple of {TiledLanes}; got {n} and {y.Length}.");
        }

        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        var lo = Vector256<float>.Zero;
        var hi = Vector256<float>.Zero;
        for (var i = 0; i < n; i += TiledLanes)
        {
            lo = Vector256.FusedMultiplyAdd(Load(ref px, i), Load(ref py, i), lo);
            hi = Vector256.FusedMultiplyAdd(Load(ref px, i + 8), Load(ref py, i + 8), hi);
        }

        return ReduceAdd(lo, hi);
    }

    /// <summary>
    /// <c>results[r] = DotTiled(rows[r·stride ..][..y.Length], y)</c> for every r: four rows at a time share the loads of
    /// <paramref name="y"/>, each with its own accumulators, so every result is <see cref="DotTiled"/>'s bit for bit.
    /// </summary>
    /// <exception cref="ArgumentException">y does not fit tinyBLAS, or <paramref name="rows"/> is too short.</exception>
    public static void DotTiledRows(ReadOnlySpan<float> rows, int stride, ReadOnlySpan<float> y, Span<float> results)
    {
        var n = y.Length;
        var count = results.Length;
        if (!FitsTiled(n) || !RowsFit(rows.Length, stride, n, count))
        {
            throw new ArgumentException($"tinyBLAS rows need a length that is a multiple of {TiledLanes} and {count} rows of stride {stride}; got {n} and {rows.Length} floats.");
        }

        ref var py = ref MemoryMarshal.GetReference(y);
        ref var pr = ref MemoryMarshal.GetReference(rows);
        var r = 0;
        for (; r + 4 <= count; r += 4)
        {
            ref var p0 = ref Unsafe.Add(ref pr, (nint)r * stride);
            ref var p1 = ref Unsafe.Add(ref p0, stride);
            ref var p2 = ref Unsafe.Add(ref p1, stride);
            ref var p3 = ref Unsafe.Add(ref p2, stride);
            Vector256<float> lo0 = default, hi0 = default, lo1 = default, hi1 = default;
            Vector256<float> lo2 = default, hi2 = default, lo3 = default, hi3 = default;
            for (var i = 0; i < n; i += TiledLanes)
            {
                var ylo = Load(ref py, i);
                var yhi = Load(ref py, i + 8);
                lo0 = Vector256.FusedMultiplyAdd(Load(ref p0, i), ylo, lo0);
                hi0 = Vector256.FusedMultiplyAdd(Load(ref p0, i + 8), yhi, hi0);
                lo1 = Vector256.FusedMultiplyAdd(Load(ref p1, i), ylo, lo1);
                hi1 = Vector256.FusedMultiplyAdd(Load(ref p1, i + 8), yhi, hi1);
                lo2 = Vector256.FusedMultiplyAdd(Load(ref p2, i), ylo, lo2);
                hi2 = Vector256.FusedMultiplyAdd(Load(ref p2, i + 8), yhi, hi2);
                lo3 = Vector256.FusedMultiplyAdd(Load(ref p3, i), ylo, lo3);
                hi3 = Vector256.FusedMultiplyAdd(Load(ref p3, i + 8), yhi, hi3);
            }

            results[r] = ReduceAdd(lo0, hi0);
            results[r + 1] = ReduceAdd(lo1, hi1);
            results[r + 2] = ReduceAdd(lo2, hi2);
            results[r + 3] = ReduceAdd(lo3, hi3);
        }

        for (; r < count; r++)
        {
            results[r] = DotTiled(rows.Slice(r * stride, n), y);
        }
    }

    /// <summary>
    /// ggml_vec_soft_max_f32 (AVX-512) followed by the 1/sum scaling of ggml's soft_max: y = e^(x - max) over 16-wide chunks
    /// with <see cref="Exp"/>, each chunk's <c>_mm512_reduce_add_ps</c> added to a double, and a scalar <c>expf</c> tail;
    /// then y *= (float)(1/sum).
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
        for (; i + 16 <= n; i += 16)
        {
            var lo = Exp(Load(ref p, i) - vmax);
            var hi = Exp(Load(ref p, i + 8) - vmax);
            lo.StoreUnsafe(ref p, (nuint)i);
            hi.StoreUnsafe(ref p, (nuint)(i + 8));
            sum += ReduceAdd(lo, hi);
        }

        for (; i < n; i++)
        {
            var e = MathF.Exp(values[i] - max);
            values[i] = e;
            sum += e;
        }

        TensorPrimitives.Multiply(values, (float)(1.0 / sum), values);
    }

    /// <summary>
    /// ggml_vec_silu_f32 (AVX-512) then ggml_mul: gate = silu(gate) · up, 16-wide with <see cref="Exp"/>, the tail with scalar
    /// <c>expf</c>.
    /// </summary>
    public static void SiluMultiply(Span<float> gate, ReadOnlySpan<float> up)
    {
        var n = gate.Length;
        var i = 0;
        ref var pg = ref MemoryMarshal.GetReference(gate);
        ref var pu = ref MemoryMarshal.GetReference(up);
        for (; i + 16 <= n; i += 16)
        {
            (Silu(Load(ref pg, i)) * Load(ref pu, i)).StoreUnsafe(ref pg, (nuint)i);
            (Silu(Load(ref pg, i + 8)) * Load(ref pu, i + 8)).StoreUnsafe(ref pg, (nuint)(i + 8));
        }

        for (; i < n; i++)
        {
            var x = gate[i];
            gate[i] = x / (1.0f + MathF.Exp(-x)) * up[i];
        }
    }

    /// <summary>
    /// ggml_v_expf (AVX-512 version) on 8 of its 16 lanes: e^x from the Arm optimized-routines polynomial, j = poly(b) with
    /// its last term fma(c1, b, 1), scaled by 2^n as <c>_mm512_scalef_ps</c> does (one rounding), and +inf / 0 where |n| &gt; 192.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var r = Vector256.Create(Bits(0x4b400000));                               // 0x1.8p23
        var z = Vector256.FusedMultiplyAdd(x, Vector256.Create(Bits(0x3fb8aa3b)), r); // log2(e)
        var n = z - r;
        var b = Vector256.FusedMultiplyAdd(-n, Vector256.Create(Bits(0x35bfbe8e)),
            Vector256.FusedMultiplyAdd(-n, Vector256.Create(Bits(0x3f317200)), x));
        var u = b * b;
        var j = Vector256.FusedMultiplyAdd(
            Vector256.FusedMultiplyAdd(
                Vector256.FusedMultiplyAdd(Vector256.Create(Bits(0x3c072010)), b, Vector256.Create(Bits(0x3d2b9f17))),
                u,
                Vector256.FusedMultiplyAdd(Vector256.Create(Bits(0x3e2aaf33)), b, Vector256.Create(Bits(0x3efffedb)))),
            u,
            Vector256.FusedMultiplyAdd(Vector256.Create(Bits(0x3f7ffff6)), b, Vector256.Create(1.0f)));

        // scalef(j, n) = j · 2^n rounded once: 2^n is split into 2^n2 (keeps j · 2^n2 normal, so that product is exact) and
        // 2^n1 with n1 = clamp(n, -126, 127), whose product does the one rounding (to a subnormal, or to infinity).
        var absN = Vector256.Abs(n);
        var inRange = Vector256.LessThanOrEqual(absN, Vector256.Create(192.0f));
        var ni = Vector256.ConvertToInt32(Vector256.ConditionalSelect(inRange, n, Vector256<float>.Zero));
        var n1 = Vector256.Min(Vector256.Max(ni, Vector256.Create(-126)), Vector256.Create(127));
        var scaled = (j * Pow2(ni - n1)) * Pow2(n1);
        if (inRange.AsInt32() == Vector256<int>.AllBitsSet)
        {
            return scaled;
        }

        // |n| > 192 (and NaN-free inputs): +inf above, 0 below (the blend of ggml's d mask).
        var overflow = Vector256.GreaterThan(n, Vector256<float>.Zero) & Vector256.Create(float.PositiveInfinity);
        return Vector256.ConditionalSelect(inRange, scaled, overflow);
    }

    /// <summary>ggml_v_silu: x / (1 + e^(0 - x)) with <see cref="Exp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Silu(Vector256<float> x) => x / (Vector256.Create(1.0f) + Exp(Vector256<float>.Zero - x));

    /// <summary>2^k for k in [-126, 127], as float bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Pow2(Vector256<int> k) => Vector256.ShiftLeft(k + Vector256.Create(127), 23).AsSingle();

    /// <summary>
    /// The vector part shared by ggml_vec_dot_f32 and ggml_vec_dot_f16: four 16-lane FMA accumulators over the first
    /// <paramref name="np"/> elements (a multiple of 64), reduced as (a0+a2)+(a1+a3), then horizontally. Zero when np is 0.
    /// </summary>
    private static float SteppedDot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int np)
    {
        if (np == 0)
        {
            return 0.0f;
        }

        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default;
        Vector256<float> a2 = default, b2 = default, a3 = default, b3 = default;
        for (var i = 0; i < np; i += Step)
        {
            a0 = Vector256.FusedMultiplyAdd(Load(ref px, i), Load(ref py, i), a0);
            b0 = Vector256.FusedMultiplyAdd(Load(ref px, i + 8), Load(ref py, i + 8), b0);
            a1 = Vector256.FusedMultiplyAdd(Load(ref px, i + 16), Load(ref py, i + 16), a1);
            b1 = Vector256.FusedMultiplyAdd(Load(ref px, i + 24), Load(ref py, i + 24), b1);
            a2 = Vector256.FusedMultiplyAdd(Load(ref px, i + 32), Load(ref py, i + 32), a2);
            b2 = Vector256.FusedMultiplyAdd(Load(ref px, i + 40), Load(ref py, i + 40), b2);
            a3 = Vector256.FusedMultiplyAdd(Load(ref px, i + 48), Load(ref py, i + 48), a3);
            b3 = Vector256.FusedMultiplyAdd(Load(ref px, i + 56), Load(ref py, i + 56), b3);
        }

        return ReduceAdd((a0 + a2) + (a1 + a3), (b0 + b2) + (b1 + b3));
    }

    /// <summary><see cref="SteppedDot"/> of two rows against one y, the loads of y shared; each row's arithmetic unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float First, float Second) SteppedDot2(ref float x0, ref float x1, ref float py, int np)
    {
        if (np == 0)
        {
            return (0.0f, 0.0f);
        }

        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default;
        Vector256<float> a2 = default, b2 = default, a3 = default, b3 = default;
        Vector256<float> c0 = default, d0 = default, c1 = default, d1 = default;
        Vector256<float> c2 = default, d2 = default, c3 = default, d3 = default;
        for (var i = 0; i < np; i += Step)
        {
            var y0 = Load(ref py, i);
            var y1 = Load(ref py, i + 8);
            var y2 = Load(ref py, i + 16);
            var y3 = Load(ref py, i + 24);
            a0 = Vector256.FusedMultiplyAdd(Load(ref x0, i), y0, a0);
            b0 = Vector256.FusedMultiplyAdd(Load(ref x0, i + 8), y1, b0);
            a1 = Vector256.FusedMultiplyAdd(Load(ref x0, i + 16), y2, a1);
            b1 = Vector256.FusedMultiplyAdd(Load(ref x0, i + 24), y3, b1);
            c0 = Vector256.FusedMultiplyAdd(Load(ref x1, i), y0, c0);
            d0 = Vector256.FusedMultiplyAdd(Load(ref x1, i + 8), y1, d0);
            c1 = Vector256.FusedMultiplyAdd(Load(ref x1, i + 16), y2, c1);
            d1 = Vector256.FusedMultiplyAdd(Load(ref x1, i + 24), y3, d1);
            var y4 = Load(ref py, i + 32);
            var y5 = Load(ref py, i + 40);
            var y6 = Load(ref py, i + 48);
            var y7 = Load(ref py, i + 56);
            a2 = Vector256.FusedMultiplyAdd(Load(ref x0, i + 32), y4, a2);
            b2 = Vector256.FusedMultiplyAdd(Load(ref x0, i + 40), y5, b2);
            a3 = Vector256.FusedMultiplyAdd(Load(ref x0, i + 48), y6, a3);
            b3 = Vector256.FusedMultiplyAdd(Load(ref x0, i + 56), y7, b3);
            c2 = Vector256.FusedMultiplyAdd(Load(ref x1, i + 32), y4, c2);
            d2 = Vector256.FusedMultiplyAdd(Load(ref x1, i + 40), y5, d2);
            c3 = Vector256.FusedMultiplyAdd(Load(ref x1, i + 48), y6, c3);
            d3 = Vector256.FusedMultiplyAdd(Load(ref x1, i + 56), y7, d3);
        }

        return (ReduceAdd((a0 + a2) + (a1 + a3), (b0 + b2) + (b1 + b3)), ReduceAdd((c0 + c2) + (c1 + c3), (d0 + d2) + (d1 + d3)));
    }

    /// <summary>
    /// <c>_mm512_reduce_add_ps</c> (GCC) of the register whose lanes 0-7 are <paramref name="lo"/> and 8-15 <paramref name="hi"/>:
    /// t = hi + lo (8 lanes), then t's upper + lower halves, then (s0 + s2) + (s1 + s3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float ReduceAdd(Vector256<float> lo, Vector256<float> hi)
    {
        var t = hi + lo;
        var s = t.GetUpper() + t.GetLower();
        return (s.GetElement(0) + s.GetElement(2)) + (s.GetElement(1) + s.GetElement(3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(ref float source, int offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);

    private static float Bits(int bits) => BitConverter.Int32BitsToSingle(bits);

    /// <summary>GGML_F32_STEP with AVX-512: four registers of 16 floats.</summary>
    private const int Step = 64;

    /// <summary>The lanes of tinyBLAS's accumulator with AVX-512.</summary>
    private const int TiledLanes = 16;
}
