namespace HybridAI.Gemini;

/// <summary>Why the prompt was blocked, when it was (<c>promptFeedback</c>).</summary>
internal sealed class GeminiPromptFeedback
{
    public string? BlockReason { get; set; }

    /// <summary>Vertex AI only: a readable explanation of <see cref="BlockReason"/>.</summary>
    public string? BlockReasonMessage { get; set; }
}
