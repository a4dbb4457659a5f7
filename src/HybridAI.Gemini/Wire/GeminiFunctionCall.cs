using System.Text.Json;

namespace HybridAI.Gemini;

/// <summary>A function call the model asks for (<c>functionCall</c>); <c>args</c> is a JSON object.</summary>
internal sealed class GeminiFunctionCall
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement? Args { get; set; }
}
