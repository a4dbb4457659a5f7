namespace HybridAI.Gemini;

/// <summary>One part of a Gemini <c>Content</c>: exactly one of text, inline data, file data, function call or function response.</summary>
internal sealed class GeminiPart
{
    public string? Text { get; set; }

    /// <summary>True when the part is a thought (reasoning summary), not answer text.</summary>
    public bool? Thought { get; set; }

    /// <summary>Opaque signature of the model's reasoning that must be sent back verbatim on the next turn.</summary>
    public string? ThoughtSignature { get; set; }

    public GeminiBlob? InlineData { get; set; }

    public GeminiFileData? FileData { get; set; }

    public GeminiFunctionCall? FunctionCall { get; set; }

    public GeminiFunctionResponse? FunctionResponse { get; set; }
}
