namespace HybridAI.Llama.Tests.Kernels;

public sealed unsafe class InterleavedQ4_0Tests
{
    [Fact]
    public void Dot_BlockByBlock_AccumulatesWithOneFmaPerBlock()
    {
        const int n = 128;
        var rng = new Random(11);
        var w = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var wq = new byte[n / 32 * 18];
        var xq = new byte[n / 32 * 34];
        Quantizer.QuantizeRow(GgmlType.Q4_0, w, wq);
        Quantizer.QuantizeRow(GgmlType.Q8_0, x, xq);

        var expected = 0.0f;
        for (var b = 0; b < n / 32; b++)
        {
            var d = (float)BitConverter.ToHalf(wq, b * 18) * (float)BitConverter.ToHalf(xq, b * 34);
            var sum = 0;
            for (var e = 0; e < 16; e++)
            {
                int packed = wq[(b * 18) + 2 + e];
                sum += (((packed & 0xF) - 8) * (sbyte)xq[(b * 34) + 2 + e]) + (((packed >> 4) - 8) * (sbyte)xq[(b * 34) + 2 + e + 16]);
            }

            expected = MathF.FusedMultiplyAdd(sum, d, expected);
        }

        fixed (byte* pw = wq)
        fixed (byte* px = xq)
        {
            Assert.Equal(expected, InterleavedQ4_0.Dot(pw, px, n));
        }
    }

    [Theory]
    [InlineData(GgmlType.Q4_0, 512, true)]
    [InlineData(GgmlType.Q4_0, 172, false)]
    [InlineData(GgmlType.Q8_0, 512, false)]
    public void Applies_RepackedShapesOnly(GgmlType type, int rows, bool expected)
    {
        byte placeholder = 0;
        Assert.Equal(expected, InterleavedQ4_0.Applies(new WeightMatrix(&placeholder, type, rows, 64)));
    }
}
