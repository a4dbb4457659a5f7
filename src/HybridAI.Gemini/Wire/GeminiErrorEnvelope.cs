namespace HybridAI.Gemini;

/// <summary>An error body: <c>{"error": {...}}</c>.</summary>
internal sealed class GeminiErrorEnvelope
{
    public GeminiError? Error { get; set; }
}
