namespace HybridAI.Gemini;

/// <summary>A Gemini <c>Tool</c>; HybridAI sends function declarations only.</summary>
internal sealed class GeminiTool
{
    public List<GeminiFunctionDeclaration>? FunctionDeclarations { get; set; }
}
