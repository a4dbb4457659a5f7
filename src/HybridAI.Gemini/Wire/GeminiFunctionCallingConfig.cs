namespace HybridAI.Gemini;

/// <summary>How the model may call functions: <c>mode</c> is <c>AUTO</c>, <c>ANY</c> or <c>NONE</c>.</summary>
internal sealed class GeminiFunctionCallingConfig
{
    public string? Mode { get; set; }

    public List<string>? AllowedFunctionNames { get; set; }
}
