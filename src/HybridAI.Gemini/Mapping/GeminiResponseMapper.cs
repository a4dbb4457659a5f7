using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace HybridAI.Gemini;

/// <summary>Turns Gemini responses and streamed chunks into Microsoft.Extensions.AI types.</summary>
internal static class GeminiResponseMapper
{
    /// <summary>The key of <c>ChatResponse.AdditionalProperties</c> holding Gemini's raw <c>finishReason</c>.</summary>
    public const string FinishReasonKey = GeminiConversation.ProviderStatePrefix + "finishReason";

    /// <summary>The key of <c>ChatResponse.AdditionalProperties</c> holding Gemini's <c>finishMessage</c>, when sent.</summary>
    public const string FinishMessageKey = GeminiConversation.ProviderStatePrefix + "finishMessage";

    public static ChatResponse ToChatResponse(GeminiGenerateContentResponse response)
    {
        var candidate = response.Candidates is { Count: > 0 } candidates ? candidates[0] : null;
        var contents = MapParts(candidate?.Content?.Parts, out var hasCalls);
        var message = new ChatMessage(ChatRole.Assistant, contents)
        {
            MessageId = response.ResponseId,
            CreatedAt = response.CreateTime,
            RawRepresentation = candidate?.Content,
        };

        var result = new ChatResponse(message)
        {
            ResponseId = response.ResponseId,
            ModelId = response.ModelVersion,
            CreatedAt = response.CreateTime,
            FinishReason = GeminiFinishReasons.Map(candidate?.FinishReason, hasCalls),
            Usage = ToUsage(response.UsageMetadata),
            RawRepresentation = response,
        };

        AddFinishDetails(result.AdditionalProperties ??= [], candidate);
        if (result.AdditionalProperties.Count == 0)
        {
            result.AdditionalProperties = null;
        }

        return result;
    }

    /// <summary>Maps the parts of one candidate. Thought parts become <see cref="TextReasoningContent"/>, never answer text.</summary>
    public static List<AIContent> MapParts(List<GeminiPart>? parts, out bool hasFunctionCalls)
    {
        hasFunctionCalls = false;
        var contents = new List<AIContent>(parts?.Count ?? 0);
        if (parts is null)
        {
            return contents;
        }

        foreach (var part in parts)
        {
            AIContent? content;
            if (part.FunctionCall is { } call)
            {
                hasFunctionCalls = true;
                content = ToFunctionCall(call);
            }
            else if (part.Thought == true)
            {
                content = new TextReasoningContent(part.Text ?? string.Empty)
                {
                    AdditionalProperties = new() { [GeminiConversation.ThoughtKey] = true },
                };
            }
            else if (part.Text is not null)
            {
                content = new TextContent(part.Text);
            }
            else if (part.InlineData is { Data: { } data } blob)
            {
                content = new DataContent(Convert.FromBase64String(data), blob.MimeType ?? "application/octet-stream");
            }
            else if (part.FileData is { FileUri: { } fileUri } file && Uri.TryCreate(fileUri, UriKind.Absolute, out var uri))
            {
                content = new UriContent(uri, file.MimeType ?? "application/octet-stream");
            }
            else if (part.ThoughtSignature is not null)
            {
                // A signature-only part (seen at the end of streamed answers): keep it so that it goes back verbatim.
                content = new TextContent(string.Empty);
            }
            else
            {
                continue; // Executable code and other parts HybridAI does not request.
            }

            content.RawRepresentation = part;
            if (part.ThoughtSignature is { } signature)
            {
                (content.AdditionalProperties ??= [])[GeminiConversation.ThoughtSignatureKey] = signature;
            }

            contents.Add(content);
        }

        return contents;
    }

    public static UsageDetails? ToUsage(GeminiUsageMetadata? usage)
    {
        if (usage is null)
        {
            return null;
        }

        // MEAI counts reasoning tokens as part of the output; Gemini reports them apart from the candidates.
        long? output = usage.CandidatesTokenCount is null && usage.ThoughtsTokenCount is null
            ? null
            : (long)(usage.CandidatesTokenCount ?? 0) + (usage.ThoughtsTokenCount ?? 0);
        var details = new UsageDetails
        {
            InputTokenCount = usage.PromptTokenCount,
            OutputTokenCount = output,
            TotalTokenCount = usage.TotalTokenCount,
            CachedInputTokenCount = usage.CachedContentTokenCount,
            ReasoningTokenCount = usage.ThoughtsTokenCount,
        };

        if (usage.ToolUsePromptTokenCount is { } toolUse)
        {
            details.AdditionalCounts = new() { [GeminiConversation.ProviderStatePrefix + "toolUsePromptTokenCount"] = toolUse };
        }

        return details;
    }

    public static void AddFinishDetails(AdditionalPropertiesDictionary properties, GeminiCandidate? candidate)
    {
        if (candidate?.FinishReason is { Length: > 0 } reason)
        {
            properties[FinishReasonKey] = reason;
        }

        if (candidate?.FinishMessage is { Length: > 0 } finishMessage)
        {
            properties[FinishMessageKey] = finishMessage;
        }
    }

    private static FunctionCallContent ToFunctionCall(GeminiFunctionCall call)
    {
        Dictionary<string, object?>? arguments = null;
        if (call.Args is { ValueKind: JsonValueKind.Object } args)
        {
            arguments = [];
            foreach (var property in args.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }
        }

        var generated = string.IsNullOrEmpty(call.Id);
        var content = new FunctionCallContent(
            generated ? "gemini-call-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..16] : call.Id!,
            call.Name ?? string.Empty,
            arguments);
        if (generated)
        {
            content.AdditionalProperties = new() { [GeminiConversation.GeneratedCallIdKey] = true };
        }

        return content;
    }
}
