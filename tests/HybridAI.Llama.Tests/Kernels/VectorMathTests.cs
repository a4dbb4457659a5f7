using System.Runtime.Intrinsics;

namespace HybridAI.Llama.Tests.Kernels;

public sealed class VectorMathTests
{
    [Fact]
    public void Exp_AcrossItsRange_EqualsGgmlAvx512FormulaAndStaysWithinThreeUlps()
    {
        var rng = new Random(7);
        for (var trial = 0; trial < 4000; trial++)
        {
            var x = (float)((rng.NextDouble() * 290) - 200);   // [-200, 90): normal, subnormal, underflowing and overflowing lanes
            var actual = VectorMath.Exp(Vector256.Create(x)).GetElement(0);
            Assert.Equal(GgmlExpAvx512(x), actual);

            var exact = (float)Math.Exp(x);
            if (float.IsInfinity(exact) || exact < 1e-37f)
            {
                continue;
            }

            // The AVX-512 variant rounds j = poly(b) to float before scaling it by 2^n: one rounding more than the AVX2
            // variant's fused last step, so its bound is a little over ggml's 1.45 + 0.5 ulps.
            var ulp = MathF.BitIncrement(exact) - exact;
            Assert.True(Math.Abs(actual - Math.Exp(x)) <= 3 * ulp, $"e^{x}: {actual} vs {Math.Exp(x)}");
        }
    }

    [Fact]
    public void Exp_SubnormalResults_AreRoundedOnceLikeScalef()
    {
        foreach (var x in new[] { -87.5f, -90.0f, -95.3f, -100.0f, -103.0f, -103.9f })
        {
            Assert.Equal(GgmlExpAvx512(x), VectorMath.Exp(Vector256.Create(x)).GetElement(0));
        }
    }

    [Theory]
    [InlineData(float.NegativeInfinity, 0.0f)]
    [InlineData(-200.0f, 0.0f)]
    [InlineData(-150.0f, 0.0f)]
    [InlineData(200.0f, float.PositiveInfinity)]
    [InlineData(0.0f, 1.0f)]
    public void Exp_Limits_FlushLikeGgml(float x, float expected) =>
        Assert.Equal(expected, VectorMath.Exp(Vector256.Create(x)).GetElement(0));

    [Fact]
    public void SoftMax_MaskedCells_GetExactlyZeroAndTheRestSumToOne()
    {
        var values = new float[32];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i < 5 ? i * 0.37f : float.NegativeInfinity;
        }

        VectorMath.SoftMax(values);

        Assert.All(values[5..], v => Assert.Equal(0.0f, v));
        Assert.Equal(1.0, values.Sum(v => (double)v), 1e-6);
        Assert.True(values[4] > values[0]);
    }

    [Theory]
    [InlineData(64 + 5)]
    [InlineData(128 + 44)]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(3)]
    public void DotF32_StepsAndLeftovers_FollowGgmlAvx512Order(int n)
    {
        var (x, y) = Vectors(n, seed: 3);
        Assert.Equal(ReferenceDotF32(x, y), VectorMath.DotF32(x, y));
    }

    [Fact]
    public void DotTiled_OneAccumulator_ReducesInTinyBlasOrder()
    {
        var (x, y) = Vectors(48, seed: 4);
        var lanes = new float[16];
        for (var i = 0; i < x.Length; i++)
        {
            lanes[i % 16] = MathF.FusedMultiplyAdd(x[i], y[i], lanes[i % 16]);
        }

        Assert.Equal(ReduceAdd512(lanes), VectorMath.DotTiled(x, y));
    }

    [Theory]
    [InlineData(0, 64, 64)]
    [InlineData(1, 64, 64)]
    [InlineData(7, 64, 64)]
    [InlineData(9, 32, 160)]
    [InlineData(13, 128, 130)]
    public void DotTiledRows_EveryRowEqualsDotTiled(int count, int length, int stride)
    {
        var (rows, _) = Vectors(Math.Max(1, ((count - 1) * stride) + length), seed: 11);
        var (y, _) = Vectors(length, seed: 12);
        var results = new float[count];

        VectorMath.DotTiledRows(rows, stride, y, results);

        for (var r = 0; r < count; r++)
        {
            Assert.Equal(VectorMath.DotTiled(rows.AsSpan(r * stride, length), y), results[r]);
        }
    }

    [Theory]
    [InlineData(0, 64, 64)]
    [InlineData(1, 64, 64)]
    [InlineData(7, 64, 64)]
    [InlineData(9, 128, 130)]
    [InlineData(5, 96, 96)]
    [InlineData(4, 40, 48)]
    [InlineData(64, 1088, 1088)]
    public void DotF16Rows_EveryRowEqualsDotF16(int count, int length, int stride)
    {
        var (rows, _) = Vectors(Math.Max(1, ((count - 1) * stride) + length), seed: 21);
        var (y, _) = Vectors(length, seed: 22);
        var results = new float[count];

        VectorMath.DotF16Rows(rows, stride, y, results);

        for (var r = 0; r < count; r++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(VectorMath.DotF16(rows.AsSpan(r * stride, length), y)), BitConverter.SingleToInt32Bits(results[r]));
        }
    }

    [Fact]
    public void DotF16Rows_RowsTooShortOrStrideShorterThanY_Throws()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.DotF16Rows(new float[100], 64, new float[64], new float[2]));
        Assert.Throws<ArgumentException>(() => VectorMath.DotF16Rows(new float[200], 32, new float[64], new float[2]));
    }

    [Fact]
    public void DotTiledRows_RowsTooShortOrLengthNotTiled_Throws()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.DotTiledRows(new float[100], 64, new float[64], new float[2]));
        Assert.Throws<ArgumentException>(() => VectorMath.DotTiledRows(new float[100], 24, new float[24], new float[1]));
    }

    /// <summary>
    /// The attention runs the softmax over the live 16-wide chunks of a row only (the cells past the token are masked to
    /// -inf): that must give the full row's softmax bit for bit, with exact +0 weights for the masked cells.
    /// </summary>
    [Theory]
    [InlineData(1, 32)]
    [InlineData(16, 32)]
    [InlineData(17, 64)]
    [InlineData(100, 128)]
    [InlineData(511, 512)]
    public void SoftMax_OverLiveChunks_EqualsFullMaskedRow(int visible, int cells)
    {
        var (row, _) = Vectors(cells, seed: visible);
        for (var i = 0; i < cells; i++)
        {
            row[i] *= 8;
        }

        var full = row.ToArray();
        full.AsSpan(visible).Fill(float.NegativeInfinity);
        VectorMath.SoftMax(full);
        var live = Math.Min(cells, (visible + 15) & ~15);
        var prefix = row.ToArray();
        prefix.AsSpan(visible, live - visible).Fill(float.NegativeInfinity);
        VectorMath.SoftMax(prefix.AsSpan(0, live));
        prefix.AsSpan(live).Clear();

        Assert.Equal(full.Select(BitConverter.SingleToInt32Bits), prefix.Select(BitConverter.SingleToInt32Bits));
    }

    private static float Midpoint(Half h) => ((float)h + (float)Half.BitIncrement(h)) / 2;

    /// <summary>The attention rounds queries and weights to F16 with TensorPrimitives; it must round as the scalar cast does.</summary>
    [Fact]
    public void ConvertToHalf_RoundsAsTheScalarCast_IncludingMidpointsAndSubnormals()
    {
        var random = new Random(5);
        var values = new float[20_000];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (i % 4) switch
            {
                0 => (float)((random.NextDouble() - 0.5) * 100),
                1 => (float)(random.NextDouble() * 1e-5), // F16 subnormals and below
                2 => Midpoint(BitConverter.UInt16BitsToHalf((ushort)random.Next(0x0001, 0x7BFF))), // exactly halfway: ties to even
                _ => (float)(random.NextDouble() * 70_000), // up to beyond F16's largest finite value
            };
        }

        values[0] = float.NegativeInfinity;
        values[1] = -0.0f;
        var halves = new Half[values.Length];
        var vectorized = new float[values.Length];
        System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(values, halves);
        System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(halves, vectorized);

        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits((float)(Half)values[i]), BitConverter.SingleToInt32Bits(vectorized[i]));
        }
    }

    [Fact]
    public void DotF16_Tail_IsSummedInDouble()
    {
        // Products of F16 values are exact in float; their sum is rounded once.
        float[] x = [1.0f, 1.0f, 1.0f];
        float[] y = [1.0f, MathF.Pow(2, -24), MathF.Pow(2, -24)];
        Assert.Equal((float)(1.0 + Math.Pow(2, -23)), VectorMath.DotF16(x, y));
        Assert.Equal(1.0f, VectorMath.DotF32(x, y));
    }

    [Fact]
    public void SiluMultiply_VectorAndTail_AgreeWithTheDefinition()
    {
        var (gate, up) = Vectors(21, seed: 5);
        var expected = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();

        VectorMath.SiluMultiply(gate, up);

        for (var i = 0; i < gate.Length; i++)
        {
            Assert.Equal(expected[i], gate[i], 1e-6);
        }
    }

    /// <summary>
    /// ggml_vec_dot_f32 with AVX-512 written out lane by lane: four 16-lane accumulators over steps of 64, x0+x2, x1+x3, x0+x1,
    /// _mm512_reduce_add_ps; leftovers added in order, the products rounded, except the last n % 8 (GCC's scalar epilogue: FMA).
    /// </summary>
    private static float ReferenceDotF32(float[] x, float[] y)
    {
        var n = x.Length;
        var np = n & ~63;
        var acc = new float[4, 16];
        for (var i = 0; i < np; i += 64)
        {
            for (var j = 0; j < 4; j++)
            {
                for (var l = 0; l < 16; l++)
                {
                    acc[j, l] = MathF.FusedMultiplyAdd(x[i + (16 * j) + l], y[i + (16 * j) + l], acc[j, l]);
                }
            }
        }

        var a = new float[16];
        for (var l = 0; l < 16; l++)
        {
            a[l] = (acc[0, l] + acc[2, l]) + (acc[1, l] + acc[3, l]);
        }

        var sum = np == 0 ? 0.0f : ReduceAdd512(a);
        for (var i = np; i < n; i++)
        {
            sum = i >= n - (n % 8) ? MathF.FusedMultiplyAdd(x[i], y[i], sum) : sum + (x[i] * y[i]);
        }

        return sum;
    }

    /// <summary>GCC's _mm512_reduce_add_ps: 256-bit halves added, then 128-bit halves, then (s0 + s2) + (s1 + s3).</summary>
    private static float ReduceAdd512(float[] v)
    {
        var t = new float[8];
        for (var l = 0; l < 8; l++)
        {
            t[l] = v[l + 8] + v[l];
        }

        float s0 = t[4] + t[0], s1 = t[5] + t[1], s2 = t[6] + t[2], s3 = t[7] + t[3];
        return (s0 + s2) + (s1 + s3);
    }

    /// <summary>
    /// ggml_v_expf's AVX-512 formula for one lane, written with scalar operations: _mm512_scalef_ps is j · 2^n rounded once
    /// (computed exactly in double, then rounded to float).
    /// </summary>
    private static float GgmlExpAvx512(float x)
    {
        static float F(int bits) => BitConverter.Int32BitsToSingle(bits);
        var r = F(0x4b400000);
        var z = MathF.FusedMultiplyAdd(x, F(0x3fb8aa3b), r);
        var n = z - r;
        var b = MathF.FusedMultiplyAdd(-n, F(0x35bfbe8e), MathF.FusedMultiplyAdd(-n, F(0x3f317200), x));
        if (Math.Abs(n) > 192)
        {
            return n > 0 ? float.PositiveInfinity : 0.0f;
        }

        var u = b * b;
        var j = MathF.FusedMultiplyAdd(
            MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(F(0x3c072010), b, F(0x3d2b9f17)), u, MathF.FusedMultiplyAdd(F(0x3e2aaf33), b, F(0x3efffedb))),
            u,
            MathF.FusedMultiplyAdd(F(0x3f7ffff6), b, 1.0f));
        return (float)Math.ScaleB(j, (int)n);
    }

    private static (float[] X, float[] Y) Vectors(int n, int seed)
    {
        var rng = new Random(seed);
        return (Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray(),
                Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() - 0.5) * 3)).ToArray());
    }
}
