using System.Text.Json;

namespace HybridAI.Gemini;

/// <summary>A function the model may call, its parameters described by a JSON Schema (<c>parametersJsonSchema</c>).</summary>
internal sealed class GeminiFunctionDeclaration
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? ParametersJsonSchema { get; set; }
}
