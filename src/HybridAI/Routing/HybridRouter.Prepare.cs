using Microsoft.Extensions.AI;

namespace HybridAI;

internal sealed partial class HybridRouter
{
    /// <summary>Gets the messages and options to send to <paramref name="entry"/>, in provider-neutral form when the conversation moves.</summary>
    internal static (IEnumerable<ChatMessage> Messages, ChatOptions? Options) Prepare(RoutingCall call, ModelEntry entry)
    {
        var provider = entry.Descriptor.Provider;
        call.OriginProvider ??= provider;
        var moved = !string.Equals(call.OriginProvider, provider, StringComparison.OrdinalIgnoreCase);
        var messages = ConversationPortability.PrepareMessages(call.Messages, call.Table.ForeignPrefixes(provider), moved);
        return (messages, PrepareOptions(call.Options, moved));
    }

    /// <summary>
    /// Removes what must not reach a model: the routing context, the model pin (a HybridAI name, not the provider's id),
    /// and, when the conversation moves to another provider, the previous provider's conversation id. Clones only when
    /// something must change.
    /// </summary>
    internal static ChatOptions? PrepareOptions(ChatOptions? options, bool moved)
    {
        if (options is null)
        {
            return null;
        }

        var hasContext = options.AdditionalProperties?.ContainsKey(ChatOptionsRoutingExtensions.PropertyName) == true;
        var dropConversation = moved && options.ConversationId is not null;
        if (!hasContext && options.ModelId is null && !dropConversation)
        {
            return options;
        }

        var onlyContext = hasContext && options.AdditionalProperties!.Count == 1;
        var prepared = options.GetType() == typeof(ChatOptions) ? ShallowCopy(options, onlyContext) : options.Clone();
        prepared.ModelId = null;
        if (dropConversation)
        {
            prepared.ConversationId = null;
        }

        if (onlyContext)
        {
            prepared.AdditionalProperties = null;
        }
        else if (hasContext)
        {
            var properties = new AdditionalPropertiesDictionary(options.AdditionalProperties!);
            properties.Remove(ChatOptionsRoutingExtensions.PropertyName);
            prepared.AdditionalProperties = properties;
        }

        return prepared;
    }

    /// <summary>
    /// Copies options without copying their lists and dictionary (which <see cref="ChatOptions.Clone"/> does): the router
    /// never changes them, and the copy keeps routing within its allocation budget. A test checks that every settable
    /// property of <see cref="ChatOptions"/> is copied, so a new MEAI property cannot be silently dropped.
    /// </summary>
    internal static ChatOptions ShallowCopy(ChatOptions options, bool withoutAdditionalProperties = false) => new()
    {
        ConversationId = options.ConversationId,
        Instructions = options.Instructions,
        Temperature = options.Temperature,
        MaxOutputTokens = options.MaxOutputTokens,
        TopP = options.TopP,
        TopK = options.TopK,
        FrequencyPenalty = options.FrequencyPenalty,
        PresencePenalty = options.PresencePenalty,
        Seed = options.Seed,
        Reasoning = options.Reasoning,
        ResponseFormat = options.ResponseFormat,
        ModelId = options.ModelId,
        StopSequences = options.StopSequences,
        AllowMultipleToolCalls = options.AllowMultipleToolCalls,
        ToolMode = options.ToolMode,
        Tools = options.Tools,
        AllowBackgroundResponses = options.AllowBackgroundResponses,
        ContinuationToken = options.ContinuationToken,
        RawRepresentationFactory = options.RawRepresentationFactory,
        AdditionalProperties = withoutAdditionalProperties ? null : options.AdditionalProperties,
    };
}
