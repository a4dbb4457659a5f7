using System.Text.Json;

namespace HybridAI.Gemini;

/// <summary>The result of a function call sent back to the model (<c>functionResponse</c>); <c>response</c> is a JSON object.</summary>
internal sealed class GeminiFunctionResponse
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement Response { get; set; }
}
