using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace HybridAI.Gemini;

/// <summary>Turns a Microsoft.Extensions.AI conversation and <see cref="ChatOptions"/> into a Gemini request body.</summary>
internal static class GeminiRequestBuilder
{
    private const string UserRole = "user";
    private const string ModelRole = "model";

    public static GeminiGenerateContentRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, bool useOpenApiResponseSchema)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var request = new GeminiGenerateContentRequest();

        List<GeminiPart>? system = null;
        if (!string.IsNullOrWhiteSpace(options?.Instructions))
        {
            (system ??= []).Add(new GeminiPart { Text = options.Instructions });
        }

        // functionResponse needs the function's name, which MEAI keeps only on the call.
        var calls = new Dictionary<string, FunctionCallContent>(StringComparer.Ordinal);
        foreach (var message in list)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionCallContent call && !string.IsNullOrEmpty(call.CallId))
                {
                    calls[call.CallId] = call;
                }
            }
        }

        foreach (var message in list)
        {
            if (message.Role == ChatRole.System)
            {
                foreach (var content in message.Contents)
                {
                    if (content is TextContent { Text.Length: > 0 } text)
                    {
                        (system ??= []).Add(new GeminiPart { Text = text.Text });
                    }
                }

                continue;
            }

            var role = message.Role == ChatRole.Assistant ? ModelRole : UserRole;
            var parts = ToParts(message, role == ModelRole, calls);
            if (parts.Count == 0)
            {
                continue;
            }

            // Gemini wants turns to alternate, and parallel function responses in one turn: merge neighbours of one role.
            if (request.Contents.Count > 0 && request.Contents[^1].Role == role)
            {
                request.Contents[^1].Parts!.AddRange(parts);
            }
            else
            {
                request.Contents.Add(new GeminiContent { Role = role, Parts = parts });
            }
        }

        if (system is not null)
        {
            request.SystemInstruction = new GeminiContent { Parts = system };
        }

        if (options is not null)
        {
            request.GenerationConfig = BuildGenerationConfig(options, useOpenApiResponseSchema);
            AddTools(request, options);
        }
        else
        {
            request.GenerationConfig = new GeminiGenerationConfig { CandidateCount = 1 };
        }

        return request;
    }

    private static List<GeminiPart> ToParts(ChatMessage message, bool isModel, Dictionary<string, FunctionCallContent> calls)
    {
        var parts = new List<GeminiPart>(message.Contents.Count);
        foreach (var content in message.Contents)
        {
            var signature = GeminiConversation.GetThoughtSignature(content.AdditionalProperties);
            GeminiPart? part = content switch
            {
                TextReasoningContent reasoning => isModel && GeminiConversation.HasFlag(reasoning.AdditionalProperties, GeminiConversation.ThoughtKey)
                    ? new GeminiPart { Text = reasoning.Text, Thought = true }
                    : null, // Reasoning from another provider means nothing to Gemini.
                TextContent text when text.Text.Length > 0 || signature is not null => new GeminiPart { Text = text.Text },
                DataContent data => new GeminiPart
                {
                    InlineData = new GeminiBlob { MimeType = data.MediaType, Data = Convert.ToBase64String(data.Data.Span) },
                },
                UriContent uri => new GeminiPart { FileData = new GeminiFileData { MimeType = uri.MediaType, FileUri = uri.Uri.ToString() } },
                HostedFileContent file => new GeminiPart { FileData = new GeminiFileData { MimeType = file.MediaType, FileUri = file.FileId } },
                FunctionCallContent call => new GeminiPart
                {
                    FunctionCall = new GeminiFunctionCall
                    {
                        Id = GeminiConversation.HasFlag(call.AdditionalProperties, GeminiConversation.GeneratedCallIdKey) ? null : call.CallId,
                        Name = call.Name,
                        Args = ToArguments(call.Arguments),
                    },
                },
                FunctionResultContent result => new GeminiPart { FunctionResponse = ToFunctionResponse(result, calls) },
                _ => null,
            };

            if (part is null)
            {
                continue;
            }

            // Signatures belong to the model's own parts; one on a user part would be rejected.
            if (isModel && signature is not null)
            {
                part.ThoughtSignature = signature;
            }

            parts.Add(part);
        }

        if (isModel && GeminiConversation.GetThoughtSignature(message.AdditionalProperties) is { } streamed)
        {
            RestoreStreamedSignature(parts, streamed);
        }

        return parts;
    }

    /// <summary>
    /// Puts back a signature that arrived on a streamed text or thought chunk and was lost when MEAI merged the chunks.
    /// Gemini places such a signature on the last part of the turn, so it goes on the last text part.
    /// </summary>
    private static void RestoreStreamedSignature(List<GeminiPart> parts, string signature)
    {
        foreach (var part in parts)
        {
            if (part.ThoughtSignature == signature)
            {
                return;
            }
        }

        for (var i = parts.Count - 1; i >= 0; i--)
        {
            if (parts[i].Text is not null && parts[i].ThoughtSignature is null)
            {
                parts[i].ThoughtSignature = signature;
                return;
            }
        }

        parts.Add(new GeminiPart { Text = string.Empty, ThoughtSignature = signature });
    }

    private static JsonElement ToArguments(IDictionary<string, object?>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return EmptyObject();
        }

        return JsonSerializer.SerializeToElement(arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
    }

    private static GeminiFunctionResponse ToFunctionResponse(FunctionResultContent result, Dictionary<string, FunctionCallContent> calls)
    {
        calls.TryGetValue(result.CallId, out var call);
        var generatedId = call is not null && GeminiConversation.HasFlag(call.AdditionalProperties, GeminiConversation.GeneratedCallIdKey);
        return new GeminiFunctionResponse
        {
            Id = generatedId ? null : result.CallId,
            Name = call?.Name ?? result.CallId,
            Response = ToResponseObject(result),
        };
    }

    /// <summary>Gemini's <c>response</c> is a JSON object: objects go as they are, anything else is wrapped as <c>{"result": value}</c>.</summary>
    private static JsonElement ToResponseObject(FunctionResultContent result)
    {
        if (result.Result is null && result.Exception is { } exception)
        {
            return WrapValue("error", JsonSerializer.SerializeToElement(exception.Message, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(string))));
        }

        var value = result.Result switch
        {
            null => default,
            JsonElement element => element,
            JsonDocument document => document.RootElement,
            _ => JsonSerializer.SerializeToElement(result.Result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.Result.GetType())),
        };

        return value.ValueKind == JsonValueKind.Object ? value : WrapValue("result", value);
    }

    private static JsonElement WrapValue(string name, JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(name);
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static JsonElement EmptyObject()
    {
        using var document = JsonDocument.Parse("{}"u8.ToArray());
        return document.RootElement.Clone();
    }

    private static GeminiGenerationConfig BuildGenerationConfig(ChatOptions options, bool useOpenApiResponseSchema)
    {
        var config = new GeminiGenerationConfig
        {
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            MaxOutputTokens = options.MaxOutputTokens,
            StopSequences = options.StopSequences is { Count: > 0 } stops ? [.. stops] : null,
            Seed = options.Seed is { } seed ? unchecked((int)seed) : null,
            PresencePenalty = options.PresencePenalty,
            FrequencyPenalty = options.FrequencyPenalty,
            CandidateCount = 1,
        };

        if (options.ResponseFormat is ChatResponseFormatJson json)
        {
            config.ResponseMimeType = "application/json";
            if (json.Schema is { } schema)
            {
                if (useOpenApiResponseSchema)
                {
                    config.ResponseSchema = GeminiSchema.ToOpenApiSchema(schema);
                }
                else
                {
                    config.ResponseJsonSchema = schema;
                }
            }
        }

        if (options.Reasoning?.Output is { } output)
        {
            config.ThinkingConfig = new GeminiThinkingConfig { IncludeThoughts = output != ReasoningOutput.None };
        }

        return config;
    }

    private static void AddTools(GeminiGenerateContentRequest request, ChatOptions options)
    {
        List<GeminiFunctionDeclaration>? declarations = null;
        if (options.Tools is { Count: > 0 } tools)
        {
            foreach (var tool in tools)
            {
                if (tool is AIFunctionDeclaration function)
                {
                    (declarations ??= []).Add(new GeminiFunctionDeclaration
                    {
                        Name = function.Name,
                        Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
                        ParametersJsonSchema = function.JsonSchema.ValueKind == JsonValueKind.Object ? function.JsonSchema : null,
                    });
                }
            }
        }

        if (declarations is null)
        {
            return;
        }

        request.Tools = [new GeminiTool { FunctionDeclarations = declarations }];
        var mode = options.ToolMode;
        if (mode is RequiredChatToolMode required)
        {
            request.ToolConfig = new GeminiToolConfig
            {
                FunctionCallingConfig = new GeminiFunctionCallingConfig
                {
                    Mode = "ANY",
                    AllowedFunctionNames = required.RequiredFunctionName is { } name ? [name] : null,
                },
            };
        }
        else if (mode is not null)
        {
            request.ToolConfig = new GeminiToolConfig
            {
                FunctionCallingConfig = new GeminiFunctionCallingConfig { Mode = mode == ChatToolMode.None ? "NONE" : "AUTO" },
            };
        }
    }
}
