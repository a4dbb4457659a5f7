namespace HybridAI.Gemini;

/// <summary>The body of <c>generateContent</c> and <c>streamGenerateContent</c>.</summary>
internal sealed class GeminiGenerateContentRequest
{
    public List<GeminiContent> Contents { get; set; } = [];

    public GeminiContent? SystemInstruction { get; set; }

    public List<GeminiTool>? Tools { get; set; }

    public GeminiToolConfig? ToolConfig { get; set; }

    public GeminiGenerationConfig? GenerationConfig { get; set; }
}
