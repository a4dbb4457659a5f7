using System.Text.Json;

namespace HybridAI.Gemini;

/// <summary>The <c>generationConfig</c> of a request.</summary>
internal sealed class GeminiGenerationConfig
{
    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? TopK { get; set; }

    public int? CandidateCount { get; set; }

    public int? MaxOutputTokens { get; set; }

    public List<string>? StopSequences { get; set; }

    public int? Seed { get; set; }

    public float? PresencePenalty { get; set; }

    public float? FrequencyPenalty { get; set; }

    public string? ResponseMimeType { get; set; }

    /// <summary>The answer's schema in Gemini's OpenAPI subset (<c>responseSchema</c>).</summary>
    public JsonElement? ResponseSchema { get; set; }

    /// <summary>The answer's schema in JSON Schema (<c>responseJsonSchema</c>).</summary>
    public JsonElement? ResponseJsonSchema { get; set; }

    public GeminiThinkingConfig? ThinkingConfig { get; set; }
}
