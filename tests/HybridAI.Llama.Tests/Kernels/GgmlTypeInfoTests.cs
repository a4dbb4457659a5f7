namespace HybridAI.Llama.Tests;

public sealed class GgmlTypeInfoTests
{
    [Theory]
    [InlineData(GgmlType.F32, 1, 4, GgmlType.F32)]
    [InlineData(GgmlType.F16, 1, 2, GgmlType.F16)]
    [InlineData(GgmlType.BF16, 1, 2, GgmlType.BF16)]
    [InlineData(GgmlType.Q8_0, 32, 34, GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0, 32, 18, GgmlType.Q8_0)]
    [InlineData(GgmlType.Q5_0, 32, 22, GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_K, 256, 144, GgmlType.Q8_K)]
    [InlineData(GgmlType.Q5_K, 256, 176, GgmlType.Q8_K)]
    [InlineData(GgmlType.Q6_K, 256, 210, GgmlType.Q8_K)]
    public void SupportedWeightTypes_HaveGgmlLayoutAndVecDotType(GgmlType type, int blockSize, int blockBytes, GgmlType vecDot)
    {
        Assert.True(GgmlTypeInfo.IsSupportedWeightType(type));
        Assert.True(GgmlTypeInfo.IsKnown(type));
        Assert.Equal(blockSize, GgmlTypeInfo.BlockSize(type));
        Assert.Equal(blockBytes, GgmlTypeInfo.BlockBytes(type));
        Assert.Equal(vecDot, GgmlTypeInfo.VecDotType(type));
        Assert.Equal(3L * blockBytes, GgmlTypeInfo.RowBytes(type, 3L * blockSize));
    }

    [Fact]
    public void AllEnumValues_HaveGgmlLayouts()
    {
        foreach (var type in Enum.GetValues<GgmlType>())
        {
            Assert.True(GgmlTypeInfo.IsKnown(type));
            Assert.True(GgmlTypeInfo.BlockSize(type) > 0);
            Assert.True(GgmlTypeInfo.BlockBytes(type) > 0);
        }

        // ggml's block layouts (ggml-common.h) for the types the engine runs.
        Assert.Equal((1, 4), (GgmlTypeInfo.BlockSize(GgmlType.F32), GgmlTypeInfo.BlockBytes(GgmlType.F32)));
        Assert.Equal((1, 2), (GgmlTypeInfo.BlockSize(GgmlType.BF16), GgmlTypeInfo.BlockBytes(GgmlType.BF16)));
        Assert.Equal((32, 18), (GgmlTypeInfo.BlockSize(GgmlType.Q4_0), GgmlTypeInfo.BlockBytes(GgmlType.Q4_0)));
        Assert.Equal((32, 22), (GgmlTypeInfo.BlockSize(GgmlType.Q5_0), GgmlTypeInfo.BlockBytes(GgmlType.Q5_0)));
        Assert.Equal((32, 34), (GgmlTypeInfo.BlockSize(GgmlType.Q8_0), GgmlTypeInfo.BlockBytes(GgmlType.Q8_0)));
        Assert.Equal((256, 144), (GgmlTypeInfo.BlockSize(GgmlType.Q4_K), GgmlTypeInfo.BlockBytes(GgmlType.Q4_K)));
        Assert.Equal((256, 176), (GgmlTypeInfo.BlockSize(GgmlType.Q5_K), GgmlTypeInfo.BlockBytes(GgmlType.Q5_K)));
        Assert.Equal((256, 210), (GgmlTypeInfo.BlockSize(GgmlType.Q6_K), GgmlTypeInfo.BlockBytes(GgmlType.Q6_K)));
        Assert.Equal(292, GgmlTypeInfo.BlockBytes(GgmlType.Q8_K));
    }

    [Fact]
    public void UnknownOrUnsupported_Throw()
    {
        Assert.False(GgmlTypeInfo.IsKnown((GgmlType)4));
        Assert.False(GgmlTypeInfo.IsSupportedWeightType(GgmlType.Q2_K));
        Assert.False(GgmlTypeInfo.IsSupportedWeightType(GgmlType.Q5_1));
        Assert.Throws<NotSupportedException>(() => GgmlTypeInfo.BlockSize((GgmlType)4));
        Assert.Throws<NotSupportedException>(() => GgmlTypeInfo.VecDotType(GgmlType.Q8_K));
        Assert.Throws<ArgumentException>(() => GgmlTypeInfo.RowBytes(GgmlType.Q4_0, 33));
    }
}
