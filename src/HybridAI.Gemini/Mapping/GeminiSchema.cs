using System.Buffers;
using System.Text.Json;

namespace HybridAI.Gemini;

/// <summary>Converts a JSON Schema into the OpenAPI subset that Gemini's <c>responseSchema</c> accepts.</summary>
internal static class GeminiSchema
{
    /// <summary>Keywords that <c>responseSchema</c> rejects; they are dropped at every level.</summary>
    private static readonly HashSet<string> s_unsupported = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "additionalProperties", "default", "examples", "const",
    };

    public static JsonElement ToOpenApiSchema(JsonElement schema)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(schema, writer);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    if (s_unsupported.Contains(property.Name))
                    {
                        continue;
                    }

                    writer.WritePropertyName(property.Name);
                    if (property.Name == "type" && property.Value.ValueKind == JsonValueKind.Array)
                    {
                        WriteTypeUnion(property.Value, writer);
                    }
                    else
                    {
                        Write(property.Value, writer);
                    }
                }

                if (element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array && IncludesNull(type))
                {
                    writer.WriteBoolean("nullable", true);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary><c>["string", "null"]</c> becomes <c>"string"</c> plus <c>nullable: true</c>.</summary>
    private static void WriteTypeUnion(JsonElement types, Utf8JsonWriter writer)
    {
        foreach (var item in types.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() != "null")
            {
                item.WriteTo(writer);
                return;
            }
        }

        writer.WriteStringValue("string");
    }

    private static bool IncludesNull(JsonElement types)
    {
        foreach (var item in types.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() == "null")
            {
                return true;
            }
        }

        return false;
    }
}
