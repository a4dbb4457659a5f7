using Microsoft.Extensions.AI;

namespace HybridAI.Llama.Tests;

public sealed class SamplingOptionsTests
{
    [Fact]
    public void Default_MatchesLlamaCppDefaults()
    {
        var options = SamplingOptions.Default;
        Assert.Equal(0.8f, options.Temperature);
        Assert.Equal(40, options.TopK);
        Assert.Equal(0.95f, options.TopP);
        Assert.Equal(0.05f, options.MinP);
        Assert.Equal(1.0f, options.RepetitionPenalty);
        Assert.Equal(64, options.RepetitionWindow);
        Assert.Null(options.Seed);
        Assert.True(SamplingOptions.Greedy.IsGreedy);
    }

    [Fact]
    public void With_ChatOptions_OverridesWhatIsSet()
    {
        var chat = new ChatOptions
        {
            Temperature = 0.2f,
            TopK = 5,
            TopP = 0.5f,
            Seed = 77,
            FrequencyPenalty = 0.1f,
            PresencePenalty = 0.3f,
            AdditionalProperties = new() { ["min_p"] = 0.2, ["repeat_penalty"] = 1.1f, ["repeat_last_n"] = 32 },
        };

        var result = SamplingOptions.Default.With(chat);

        Assert.Equal(0.2f, result.Temperature);
        Assert.Equal(5, result.TopK);
        Assert.Equal(0.5f, result.TopP);
        Assert.Equal(77, result.Seed);
        Assert.Equal(0.1f, result.FrequencyPenalty);
        Assert.Equal(0.3f, result.PresencePenalty);
        Assert.Equal(0.2f, result.MinP);
        Assert.Equal(1.1f, result.RepetitionPenalty);
        Assert.Equal(32, result.RepetitionWindow);
    }

    [Fact]
    public void With_NullOrEmpty_KeepsDefaults()
    {
        Assert.Same(SamplingOptions.Default, SamplingOptions.Default.With(null));
        Assert.Equal(SamplingOptions.Default, SamplingOptions.Default.With(new ChatOptions()));
    }

    [Fact]
    public void With_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SamplingOptions.Default.With(new ChatOptions { TopP = 1.5f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SamplingOptions.Default.With(
            new ChatOptions { AdditionalProperties = new() { ["repeat_penalty"] = "lots" } }));
    }
}
