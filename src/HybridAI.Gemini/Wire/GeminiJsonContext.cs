using System.Text.Json.Serialization;

namespace HybridAI.Gemini;

/// <summary>Source-generated serialization of Gemini's wire types: no reflection, trimming- and AOT-safe. Unknown fields are ignored.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(GeminiGenerateContentRequest))]
[JsonSerializable(typeof(GeminiGenerateContentResponse))]
[JsonSerializable(typeof(GeminiErrorEnvelope))]
[JsonSerializable(typeof(List<GeminiErrorEnvelope>))]
internal sealed partial class GeminiJsonContext : JsonSerializerContext;
