using System.Text.Json;

namespace HybridAI.Gemini;

/// <summary>The <c>error</c> object Google APIs answer with: HTTP code, message, canonical status and typed details.</summary>
internal sealed class GeminiError
{
    public int? Code { get; set; }

    public string? Message { get; set; }

    public string? Status { get; set; }

    /// <summary>Typed details (<c>google.rpc.RetryInfo</c>, <c>google.rpc.ErrorInfo</c>, ...), each with an <c>@type</c>.</summary>
    public List<JsonElement>? Details { get; set; }
}
