namespace HybridAI.Gemini;

/// <summary>Inline bytes (<c>inlineData</c>): a media type and base64 data.</summary>
internal sealed class GeminiBlob
{
    public string? MimeType { get; set; }

    public string? Data { get; set; }
}
