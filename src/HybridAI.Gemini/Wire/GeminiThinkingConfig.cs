namespace HybridAI.Gemini;

/// <summary>The <c>thinkingConfig</c> of a request: whether thought summaries come back, and how much to think.</summary>
internal sealed class GeminiThinkingConfig
{
    public bool? IncludeThoughts { get; set; }

    public int? ThinkingBudget { get; set; }
}
