namespace HybridAI.Gemini;

/// <summary>One answer candidate. HybridAI always asks for one.</summary>
internal sealed class GeminiCandidate
{
    public GeminiContent? Content { get; set; }

    public string? FinishReason { get; set; }

    public string? FinishMessage { get; set; }

    public int? Index { get; set; }
}
