namespace HybridAI.Tests;

public sealed class ModelDescriptorTests
{
    [Fact]
    public void Constructor_NoModelId_UsesName()
    {
        var descriptor = new ModelDescriptor("support", "openai");

        Assert.Equal("support", descriptor.ModelId);
        Assert.Equal(ModelLocality.Partner, descriptor.Locality);
    }

    [Fact]
    public void Supports_AllRequiredCapabilitiesPresent_ReturnsTrue()
    {
        var descriptor = new ModelDescriptor("m", "openai") { Capabilities = ModelCapabilities.Tools | ModelCapabilities.Streaming };

        Assert.True(descriptor.Supports(ModelCapabilities.Tools));
        Assert.False(descriptor.Supports(ModelCapabilities.Tools | ModelCapabilities.Images));
    }

    [Fact]
    public void Compute_TokenCounts_UsesPricePerMillion()
    {
        var cost = new ModelCost(InputPerMillionTokens: 0.15m, OutputPerMillionTokens: 0.60m);

        Assert.Equal(0.00045m, cost.Compute(inputTokens: 1000, outputTokens: 500));
    }
}
