namespace HybridAI.Gemini;

/// <summary>
/// A <c>GenerateContentResponse</c>, or one chunk of a streamed answer. An error object in the stream arrives in the same
/// shape with only <see cref="Error"/> set.
/// </summary>
internal sealed class GeminiGenerateContentResponse
{
    public List<GeminiCandidate>? Candidates { get; set; }

    public GeminiPromptFeedback? PromptFeedback { get; set; }

    public GeminiUsageMetadata? UsageMetadata { get; set; }

    public string? ModelVersion { get; set; }

    public string? ResponseId { get; set; }

    /// <summary>Vertex AI only: when the response was created (RFC 3339).</summary>
    public DateTimeOffset? CreateTime { get; set; }

    public GeminiError? Error { get; set; }
}
