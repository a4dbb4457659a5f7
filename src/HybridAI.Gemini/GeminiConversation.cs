using Microsoft.Extensions.AI;

namespace HybridAI.Gemini;

/// <summary>
/// The Gemini-specific state that the adapter keeps on Microsoft.Extensions.AI messages, and the way to remove it before a
/// conversation goes to another model.
/// </summary>
/// <remarks>
/// <para>
/// Gemini returns <c>thoughtSignature</c> values: opaque, encrypted representations of the model's reasoning that must be sent
/// back verbatim on the next Gemini turn (for function calls on Gemini 3 models the service rejects a turn without them).
/// The adapter keeps each one in the <see cref="AIContent.AdditionalProperties"/> of the content it came with
/// (<see cref="TextContent"/>, <see cref="TextReasoningContent"/>, <see cref="FunctionCallContent"/>, <see cref="DataContent"/>)
/// under <see cref="ThoughtSignatureKey"/>. Because Microsoft.Extensions.AI merges consecutive streamed text items and keeps
/// only the first item's properties, a streamed text or thought signature is also kept on the message
/// (<see cref="ChatMessage.AdditionalProperties"/>, same key), and the adapter puts it back on the message's last text part.
/// </para>
/// <para>
/// Every key the adapter writes starts with <see cref="ProviderStatePrefix"/>. Other adapters ignore these keys, but the
/// signatures are meaningless to any other model and thought summaries are Gemini's reasoning, so the strategy layer calls
/// <see cref="StripProviderState"/> before it sends a conversation that Gemini took part in to another model.
/// </para>
/// <para>All members are thread-safe; <see cref="StripProviderState"/> never changes the messages it is given.</para>
/// </remarks>
public static class GeminiConversation
{
    /// <summary>The prefix of every key the Gemini adapter writes into <c>AdditionalProperties</c>.</summary>
    public const string ProviderStatePrefix = "gemini.";

    /// <summary>
    /// The key (<c>"gemini.thoughtSignature"</c>) under which a Gemini <c>thoughtSignature</c> (a base64 <see cref="string"/>) is kept in
    /// the <c>AdditionalProperties</c> of a content item or, for streamed text, of the message.
    /// </summary>
    public const string ThoughtSignatureKey = ProviderStatePrefix + "thoughtSignature";

    /// <summary>
    /// The key (<c>"gemini.thought"</c>, value <see langword="true"/>) that marks a <see cref="TextReasoningContent"/> as a Gemini
    /// thought part, so that it is sent back to Gemini as one and dropped by <see cref="StripProviderState"/>.
    /// </summary>
    public const string ThoughtKey = ProviderStatePrefix + "thought";

    /// <summary>
    /// The key (<c>"gemini.generatedCallId"</c>, value <see langword="true"/>) that marks a <see cref="FunctionCallContent"/> whose
    /// <c>CallId</c> the adapter made up because the service sent none; such ids are not sent back to Gemini.
    /// </summary>
    public const string GeneratedCallIdKey = ProviderStatePrefix + "generatedCallId";

    /// <summary>
    /// Returns a copy of a conversation without Gemini-specific state, ready to be sent to any other model: thought signatures
    /// and other <see cref="ProviderStatePrefix"/> keys are removed, Gemini thought parts and signature-only parts are dropped,
    /// and <c>RawRepresentation</c> (Gemini's wire objects) is cleared on the items that change.
    /// </summary>
    /// <param name="messages">The conversation. It is not modified.</param>
    /// <returns>New messages; contents without Gemini state are shared with the input, the others are copied.</returns>
    public static IList<ChatMessage> StripProviderState(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<ChatMessage>();
        foreach (var message in messages)
        {
            var contents = new List<AIContent>(message.Contents.Count);
            foreach (var content in message.Contents)
            {
                if (StripContent(content) is { } kept)
                {
                    contents.Add(kept);
                }
            }

            var hasState = HasProviderState(message.AdditionalProperties);
            result.Add(new ChatMessage(message.Role, contents)
            {
                AuthorName = message.AuthorName,
                CreatedAt = message.CreatedAt,
                MessageId = message.MessageId,
                AdditionalProperties = hasState ? WithoutProviderState(message.AdditionalProperties!) : message.AdditionalProperties,
                RawRepresentation = hasState ? null : message.RawRepresentation,
            });
        }

        return result;
    }

    /// <summary>Gets the thought signature kept on a content item or message properties, or null.</summary>
    internal static string? GetThoughtSignature(AdditionalPropertiesDictionary? properties) =>
        properties is not null && properties.TryGetValue(ThoughtSignatureKey, out var value) && value is string { Length: > 0 } signature
            ? signature
            : null;

    /// <summary>Tells whether a content item is flagged with <paramref name="key"/>.</summary>
    internal static bool HasFlag(AdditionalPropertiesDictionary? properties, string key) =>
        properties is not null && properties.TryGetValue(key, out var value) && value is true;

    private static AIContent? StripContent(AIContent content)
    {
        if (content is TextReasoningContent thought && HasFlag(thought.AdditionalProperties, ThoughtKey))
        {
            return null;
        }

        if (!HasProviderState(content.AdditionalProperties))
        {
            return content;
        }

        var properties = WithoutProviderState(content.AdditionalProperties!);
        switch (content)
        {
            case TextContent text when string.IsNullOrEmpty(text.Text):
                return null; // It existed only to carry a signature.
            case TextContent text:
                return new TextContent(text.Text) { AdditionalProperties = properties, Annotations = text.Annotations };
            case TextReasoningContent reasoning when string.IsNullOrEmpty(reasoning.Text) && reasoning.ProtectedData is null:
                return null;
            case TextReasoningContent reasoning:
                return new TextReasoningContent(reasoning.Text) { AdditionalProperties = properties, ProtectedData = reasoning.ProtectedData };
            case FunctionCallContent call:
                return new FunctionCallContent(call.CallId, call.Name, call.Arguments) { AdditionalProperties = properties };
            case DataContent data:
                return new DataContent(data.Data, data.MediaType) { Name = data.Name, AdditionalProperties = properties };
            case UriContent uri:
                return new UriContent(uri.Uri, uri.MediaType) { AdditionalProperties = properties };
            default:
                // An unknown type cannot be copied; removing the keys in place would change the caller's conversation.
                return content;
        }
    }

    private static bool HasProviderState(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null)
        {
            return false;
        }

        foreach (var key in properties.Keys)
        {
            if (key.StartsWith(ProviderStatePrefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static AdditionalPropertiesDictionary? WithoutProviderState(AdditionalPropertiesDictionary properties)
    {
        var copy = new AdditionalPropertiesDictionary();
        foreach (var (key, value) in properties)
        {
            if (!key.StartsWith(ProviderStatePrefix, StringComparison.Ordinal))
            {
                copy[key] = value;
            }
        }

        return copy.Count == 0 ? null : copy;
    }
}
