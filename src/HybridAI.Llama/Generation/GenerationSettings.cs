namespace HybridAI.Llama;

/// <summary>What one generation does besides sampling: its limits and stop rules.</summary>
internal sealed record GenerationSettings
{
    /// <summary>Gets the sampling chain.</summary>
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Default;

    /// <summary>Gets the seed of the draw when <see cref="SamplingOptions.Seed"/> is null.</summary>
    public ulong FallbackSeed { get; init; }

    /// <summary>Gets the most tokens to generate; null generates until another rule stops.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Gets texts that end the output when it produces them; they are not part of the output.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Gets a value telling whether end-of-generation tokens are sampled like any other token instead of stopping.</summary>
    public bool IgnoreEndOfGeneration { get; init; }
}
