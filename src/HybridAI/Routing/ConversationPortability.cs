using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// Carries a conversation's history to a model of another provider in provider-neutral form.
/// </summary>
/// <remarks>
/// <para>
/// Convention: provider-specific state in Microsoft.Extensions.AI objects is stored in <c>AdditionalProperties</c> under keys
/// prefixed by the provider's name and a dot (for example <c>"gemini.thoughtSignature"</c>, <c>"openai.responseId"</c>).
/// </para>
/// <para>
/// Before a model is called, every message and content entry whose key starts with another known provider's prefix is
/// left out. When the conversation moves to another provider (its last turn, or the first attempt of this call, was
/// served by a different provider), <c>RawRepresentation</c> is also cleared, reasoning's protected data is dropped, and
/// <c>ChatOptions.ConversationId</c> (a provider's server-side conversation or response id) is not sent.
/// </para>
/// <para>
/// The caller's messages are never changed: messages that need it are copied. When nothing needs to change, the original
/// sequence is passed through without allocating. A content of a type this layer cannot copy that carries another
/// provider's state is left out. Stateless and thread-safe.
/// </para>
/// </remarks>
internal static class ConversationPortability
{
    public static IEnumerable<ChatMessage> PrepareMessages(IEnumerable<ChatMessage> messages, string[] foreignPrefixes, bool moved)
    {
        if (!NeedsChange(messages, foreignPrefixes, moved))
        {
            return messages;
        }

        var prepared = new List<ChatMessage>();
        foreach (var message in messages)
        {
            prepared.Add(MessageNeedsChange(message, foreignPrefixes, moved) ? Copy(message, foreignPrefixes, moved) : message);
        }

        return prepared;
    }

    private static bool NeedsChange(IEnumerable<ChatMessage> messages, string[] foreignPrefixes, bool moved)
    {
        if (messages is IList<ChatMessage> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (MessageNeedsChange(list[i], foreignPrefixes, moved))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var message in messages)
        {
            if (MessageNeedsChange(message, foreignPrefixes, moved))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MessageNeedsChange(ChatMessage message, string[] foreignPrefixes, bool moved)
    {
        if ((moved && message.RawRepresentation is not null) || HasForeign(message.AdditionalProperties, foreignPrefixes))
        {
            return true;
        }

        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            var content = contents[i];
            if ((moved && (content.RawRepresentation is not null || content is TextReasoningContent { ProtectedData: not null }))
                || HasForeign(content.AdditionalProperties, foreignPrefixes))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasForeign(AdditionalPropertiesDictionary? properties, string[] foreignPrefixes)
    {
        if (properties is null || properties.Count == 0 || foreignPrefixes.Length == 0)
        {
            return false;
        }

        foreach (var key in properties.Keys)
        {
            if (IsForeign(key, foreignPrefixes))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsForeign(string key, string[] foreignPrefixes)
    {
        foreach (var prefix in foreignPrefixes)
        {
            if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static AdditionalPropertiesDictionary? Filter(AdditionalPropertiesDictionary? properties, string[] foreignPrefixes)
    {
        if (!HasForeign(properties, foreignPrefixes))
        {
            return properties is null ? null : new AdditionalPropertiesDictionary(properties);
        }

        var kept = new AdditionalPropertiesDictionary();
        foreach (var pair in properties!)
        {
            if (!IsForeign(pair.Key, foreignPrefixes))
            {
                kept[pair.Key] = pair.Value;
            }
        }

        return kept.Count == 0 ? null : kept;
    }

    private static ChatMessage Copy(ChatMessage message, string[] foreignPrefixes, bool moved)
    {
        var contents = new List<AIContent>(message.Contents.Count);
        foreach (var content in message.Contents)
        {
            if (CopyContent(content, foreignPrefixes, moved) is { } copy)
            {
                contents.Add(copy);
            }
        }

        return new ChatMessage(message.Role, contents)
        {
            AuthorName = message.AuthorName,
            MessageId = message.MessageId,
            CreatedAt = message.CreatedAt,
            AdditionalProperties = Filter(message.AdditionalProperties, foreignPrefixes),
            RawRepresentation = moved ? null : message.RawRepresentation,
        };
    }

    private static AIContent? CopyContent(AIContent content, string[] foreignPrefixes, bool moved)
    {
        if (!(moved && (content.RawRepresentation is not null || content is TextReasoningContent { ProtectedData: not null }))
            && !HasForeign(content.AdditionalProperties, foreignPrefixes))
        {
            return content;
        }

        AIContent? copy = content switch
        {
            TextContent text => new TextContent(text.Text),
            TextReasoningContent reasoning => new TextReasoningContent(reasoning.Text) { ProtectedData = moved ? null : reasoning.ProtectedData },
            FunctionCallContent call => new FunctionCallContent(call.CallId, call.Name, call.Arguments) { Exception = call.Exception },
            FunctionResultContent result => new FunctionResultContent(result.CallId, result.Result) { Exception = result.Exception },
            DataContent data => new DataContent(data.Data, data.MediaType) { Name = data.Name },
            UriContent uri => new UriContent(uri.Uri, uri.MediaType),
            ErrorContent error => new ErrorContent(error.Message) { ErrorCode = error.ErrorCode, Details = error.Details },
            UsageContent usage => new UsageContent(usage.Details),

            // A content type this layer cannot copy faithfully, carrying another provider's state: it is left out rather
            // than let that state reach this provider (such contents, hosted files or server tool calls, are
            // provider-specific anyway).
            _ => null,
        };

        if (copy is not null)
        {
            copy.AdditionalProperties = Filter(content.AdditionalProperties, foreignPrefixes);
            copy.RawRepresentation = moved ? null : content.RawRepresentation;
        }

        return copy;
    }
}
