using System.Runtime.Intrinsics;

namespace HybridAI.Llama.Tests.Kernels;

public sealed class VectorMathTests
{
    [Fact]
    public void Exp_AcrossItsRange_StaysWithinTwoUlpsOfExactExp()
    {
        var rng = new Random(7);
        for (var trial = 0; trial < 2000; trial++)
        {
            var x = (float)((rng.NextDouble() * 190) - 100);   // [-100, 90): normal, scaled and overflowing lanes
            var actual = VectorMath.Exp(Vector256.Create(x)).GetElement(0);
            var exact = (float)Math.Exp(x);
            if (float.IsInfinity(exact))
            {
                Assert.Equal(float.PositiveInfinity, actual);
                continue;
            }

            var ulp = Math.Max(MathF.BitIncrement(exact) - exact, float.Epsilon);
            Assert.True(Math.Abs(actual - Math.Exp(x)) <= 2 * ulp, $"e^{x}: {actual} vs {Math.Exp(x)}");
        }
    }

    [Theory]
    [InlineData(float.NegativeInfinity, 0.0f)]
    [InlineData(-200.0f, 0.0f)]
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

    [Fact]
    public void DotF32_FullSteps_ReduceInGgmlOrder()
    {
        var (x, y) = Vectors(64 + 5, seed: 3);
        Assert.Equal(ReferenceDotF32(x, y), VectorMath.DotF32(x, y));
    }

    [Fact]
    public void DotTiled_OneAccumulator_ReducesInTinyBlasOrder()
    {
        var (x, y) = Vectors(40, seed: 4);
        var lanes = new float[8];
        for (var i = 0; i < x.Length; i++)
        {
            lanes[i % 8] = MathF.FusedMultiplyAdd(x[i], y[i], lanes[i % 8]);
        }

        float t0 = lanes[4] + lanes[0], t1 = lanes[5] + lanes[1], t2 = lanes[6] + lanes[2], t3 = lanes[7] + lanes[3];
        Assert.Equal((t0 + t2) + (t1 + t3), VectorMath.DotTiled(x, y));
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

    private static float ReferenceDotF32(float[] x, float[] y)
    {
        var n = x.Length;
        var np = n & ~31;
        var acc = new float[4, 8];
        for (var i = 0; i < np; i += 32)
        {
            for (var j = 0; j < 4; j++)
            {
                for (var l = 0; l < 8; l++)
                {
                    acc[j, l] = MathF.FusedMultiplyAdd(x[i + (8 * j) + l], y[i + (8 * j) + l], acc[j, l]);
                }
            }
        }

        var a = new float[8];
        for (var l = 0; l < 8; l++)
        {
            a[l] = (acc[0, l] + acc[2, l]) + (acc[1, l] + acc[3, l]);
        }

        float h0 = a[0] + a[4], h1 = a[1] + a[5], h2 = a[2] + a[6], h3 = a[3] + a[7];
        var sum = (h0 + h1) + (h2 + h3);
        for (var i = np; i < n; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    private static (float[] X, float[] Y) Vectors(int n, int seed)
    {
        var rng = new Random(seed);
        return (Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray(),
                Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() - 0.5) * 3)).ToArray());
    }
}
