using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace HybridAI;

/// <summary>
/// The only code that invokes a configured model. It admits the call through <see cref="DataBoundary"/>, then runs it
/// inside the model's resilience pipeline (timeout, retry, circuit breaker), translating the pipeline's own failures into
/// <see cref="ChatModelException"/> kinds the fallback chain understands.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class ModelGate
{
    public static async ValueTask<ChatResponse> GetResponseAsync(ModelEntry entry, DataClassification classification,
        IEnumerable<ChatMessage> messages, ChatOptions? options, RoutingDecision? decision, CancellationToken cancellationToken)
    {
        DataBoundary.Admit(entry.Descriptor, classification, decision);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await entry.Pipeline.ExecuteAsync(
                static (context, state) => new ValueTask<ChatResponse>(
                    state.Model.GetResponseAsync(state.Messages, state.Options, context.CancellationToken)),
                context,
                (entry.Model, Messages: messages, Options: options)).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(entry, ex) is { } translated)
        {
            throw translated;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Starts a stream and waits for its first update, so that a failure before any output can still fall back.</summary>
    /// <returns>The enumerator, positioned on the first update when <c>HasFirst</c> is true. The caller disposes it.</returns>
    public static async ValueTask<(IAsyncEnumerator<ChatResponseUpdate> Updates, bool HasFirst)> StartStreamAsync(ModelEntry entry,
        DataClassification classification, IEnumerable<ChatMessage> messages, ChatOptions? options, RoutingDecision? decision,
        CancellationToken cancellationToken)
    {
        DataBoundary.Admit(entry.Descriptor, classification, decision);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await entry.Pipeline.ExecuteAsync(
                static async (context, state) =>
                {
                    var updates = state.Model.GetStreamingResponseAsync(state.Messages, state.Options, state.Token)
                        .GetAsyncEnumerator(state.Token);
                    try
                    {
                        return (updates, await updates.MoveNextAsync().ConfigureAwait(false));
                    }
                    catch
                    {
                        await updates.DisposeAsync().ConfigureAwait(false);
                        throw;
                    }
                },
                context,
                (entry.Model, Messages: messages, Options: options, Token: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(entry, ex) is { } translated)
        {
            throw translated;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Maps a failure to the kind the fallback chain acts on, or null to let it pass unchanged.</summary>
    internal static ChatModelException? Translate(ModelEntry entry, Exception exception) => exception switch
    {
        BrokenCircuitException broken => new ChatModelException(ChatModelErrorKind.Unavailable, entry.Name,
            $"Model '{entry.Name}' is cooling down after repeated failures (circuit open).", broken)
        {
            RetryAfter = broken.RetryAfter,
        },
        TimeoutRejectedException timeout => new ChatModelException(ChatModelErrorKind.Timeout, entry.Name,
            $"Model '{entry.Name}' did not answer within {timeout.Timeout}.", timeout),
        _ => null,
    };
}
