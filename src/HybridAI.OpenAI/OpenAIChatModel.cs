using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace HybridAI.OpenAI;

/// <summary>
/// An <see cref="IChatModel"/> over the official OpenAI SDK's chat completions client, reached through
/// Microsoft.Extensions.AI.OpenAI's <c>AsIChatClient()</c>, which maps messages, tools, response formats and usage.
/// </summary>
/// <remarks>
/// This layer adds the descriptor and turns the SDK's failures into <see cref="ChatModelException"/>s (see
/// <see cref="OpenAIFailureTranslator"/>); an answer stopped by the content filter also becomes one. Cancellation passes
/// through as <see cref="OperationCanceledException"/>. Thread-safe: the SDK client is.
/// </remarks>
internal sealed class OpenAIChatModel : DelegatingChatClient, IChatModel
{
    private readonly OpenAIFailureTranslator _failures;

    public OpenAIChatModel(IChatClient openAIClient, ModelDescriptor descriptor, OpenAIFailureTranslator failures)
        : base(openAIClient)
    {
        Descriptor = descriptor;
        _failures = failures;
    }

    public ModelDescriptor Descriptor { get; }

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_failures.Translate(ex, cancellationToken) is { } translated)
        {
            throw translated;
        }

        if (response.FinishReason == ChatFinishReason.ContentFilter)
        {
            throw _failures.ContentFiltered();
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex) when (_failures.Translate(ex, cancellationToken) is { } translated)
        {
            throw translated;
        }

        await using (updates.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (Exception ex) when (_failures.Translate(ex, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                if (updates.Current.FinishReason == ChatFinishReason.ContentFilter)
                {
                    throw _failures.ContentFiltered();
                }

                yield return updates.Current;
            }
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(Descriptor))
        {
            return Descriptor;
        }

        // The inner client answers for OpenAI's ChatClient and for ChatClientMetadata.
        return base.GetService(serviceType, serviceKey);
    }
}
