namespace HybridAI.Llama.Tests;

public sealed class FloatConversionTests
{
    [Fact]
    public void Float16_FromSingle_MatchesGgmlSoftwareConversion()
    {
        var random = new Random(11);
        for (var i = 0; i < 200_000; i++)
        {
            var bits = i < 100_000 ? random.Next() : (int)((uint)random.Next(0x3000_0000, 0x4800_0000) | ((uint)(i & 1) << 31));
            var value = BitConverter.Int32BitsToSingle(bits);
            if (float.IsNaN(value))
            {
                continue;
            }

            Assert.Equal(GgmlFp32ToFp16(value), Float16.FromSingle(value));
        }
    }

    [Fact]
    public void Float16_ToSingle_IsExactForEveryValue()
    {
        for (var bits = 0; bits < 65536; bits++)
        {
            var half = BitConverter.UInt16BitsToHalf((ushort)bits);
            var value = Float16.ToSingle((ushort)bits);
            if (Half.IsNaN(half))
            {
                Assert.True(float.IsNaN(value));
            }
            else
            {
                Assert.Equal((float)half, value);
                Assert.Equal((ushort)bits, Float16.FromSingle(value));
            }
        }
    }

    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(1.00390625f, 0x3F80)] // exactly halfway, even stays
    [InlineData(1.01171875f, 0x3F82)] // halfway above an odd mantissa rounds up
    [InlineData(-2.5f, 0xC020)]
    [InlineData(float.PositiveInfinity, 0x7F80)]
    public void BFloat16_FromSingle_RoundsToNearestEven(float value, int expected)
    {
        Assert.Equal((ushort)expected, BFloat16.FromSingle(value));
    }

    [Fact]
    public void BFloat16_FromSingle_NaNStaysQuietNaN()
    {
        var signalling = BitConverter.Int32BitsToSingle(0x7F800001);
        var bits = BFloat16.FromSingle(signalling);
        Assert.Equal(0x7FC0, bits);
        Assert.True(float.IsNaN(BFloat16.ToSingle(bits)));
    }

    // ggml_compute_fp32_to_fp16 (the portable path), written out independently as a test oracle.
    private static ushort GgmlFp32ToFp16(float f)
    {
        var scaleToInf = BitConverter.UInt32BitsToSingle(0x77800000);
        var scaleToZero = BitConverter.UInt32BitsToSingle(0x08800000);
        var b = (MathF.Abs(f) * scaleToInf) * scaleToZero;
        var w = BitConverter.SingleToUInt32Bits(f);
        var shl1W = w + w;
        var sign = w & 0x80000000u;
        var bias = shl1W & 0xFF000000u;
        if (bias < 0x71000000u)
        {
            bias = 0x71000000u;
        }

        b = BitConverter.UInt32BitsToSingle((bias >> 1) + 0x07800000u) + b;
        var bits = BitConverter.SingleToUInt32Bits(b);
        var expBits = (bits >> 13) & 0x00007C00u;
        var mantissaBits = bits & 0x00000FFFu;
        var nonsign = expBits + mantissaBits;
        return (ushort)((sign >> 16) | (shl1W > 0xFF000000u ? 0x7E00u : nonsign));
    }
}
