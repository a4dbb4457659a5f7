namespace HybridAI.Gemini;

/// <summary>A file referenced by URI (<c>fileData</c>), for example one uploaded through the Files API or a <c>gs://</c> object.</summary>
internal sealed class GeminiFileData
{
    public string? MimeType { get; set; }

    public string? FileUri { get; set; }
}
