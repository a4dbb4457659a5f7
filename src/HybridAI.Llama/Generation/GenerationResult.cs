namespace HybridAI.Llama;

/// <summary>How a generation went.</summary>
/// <param name="PromptTokens">The number of prompt tokens (all of them, reused or not).</param>
/// <param name="ReusedPromptTokens">How many prompt tokens were already in the cache and were not evaluated again.</param>
/// <param name="GeneratedTokens">The number of tokens sampled (an end-of-generation token included).</param>
/// <param name="FinishReason">Why generation stopped.</param>
internal readonly record struct GenerationResult(
    int PromptTokens, int ReusedPromptTokens, int GeneratedTokens, GenerationFinishReason FinishReason);
