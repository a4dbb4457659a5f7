namespace HybridAI.Gemini;

/// <summary>The <c>toolConfig</c> of a request.</summary>
internal sealed class GeminiToolConfig
{
    public GeminiFunctionCallingConfig? FunctionCallingConfig { get; set; }
}
