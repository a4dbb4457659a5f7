namespace HybridAI.Llama;

/// <summary>The weights of one transformer block, pointing into the memory-mapped file.</summary>
internal sealed class LlamaLayerWeights
{
    public required NormWeights AttentionNorm { get; init; }
    public required WeightMatrix Query { get; init; }
    public required WeightMatrix Key { get; init; }
    public required WeightMatrix Value { get; init; }
    public required WeightMatrix Output { get; init; }
    public required NormWeights FeedForwardNorm { get; init; }
    public required WeightMatrix Gate { get; init; }
    public required WeightMatrix Up { get; init; }
    public required WeightMatrix Down { get; init; }
}
