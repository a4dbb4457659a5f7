#pragma warning disable MEAI001 // MEAI's routing types are experimental; this type exists to interoperate with them.
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// HybridAI's policies as a Microsoft.Extensions.AI <see cref="FailoverChatClient"/> (and so a <see cref="RoutingChatClient"/>):
/// <see cref="SelectClientAsync"/> plans the call with the router's current table (route by feature, rollout, filters,
/// data boundary, affinity, budget) and hands out the candidates in order; MEAI's base class invokes them and reports each
/// attempt, which this class records in the <see cref="RoutingDecision"/> and uses to decide whether the next candidate
/// may be tried (the route's fallback kinds).
/// </summary>
/// <remarks>
/// Every client handed out invokes its model through <see cref="ModelGate"/>, so the data boundary holds here too. Thread-safe;
/// per-request state is keyed by MEAI's per-request <see cref="RoutingContext"/>. Disposing it does not dispose the router.
/// </remarks>
internal sealed class PolicyRoutingChatClient(HybridRouter router) : FailoverChatClient
{
    private readonly ConditionalWeakTable<RoutingContext, Request> _requests = [];

    protected override ValueTask<IChatClient> SelectClientAsync(RoutingContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = _requests.GetValue(context, c => new Request(HybridRouter.Plan(router.Table, c.Messages, c.ChatOptions, null)));
        if (request.LastFailure is { } failure && !request.LastFailureAllowsFallback)
        {
            _requests.Remove(context);
            failure.Throw();
        }

        var call = request.Call;
        for (var i = request.Next; i < call.Count; i++)
        {
            if (!call.IsRejected(i))
            {
                request.Next = i + 1;
                request.Current = call.Candidates[i];
                return new ValueTask<IChatClient>(new GatedClient(call, call.Candidates[i]));
            }
        }

        _requests.Remove(context);
        request.LastFailure?.Throw();
        throw new RoutingException(
            $"No configured model can serve this {call.Classification} call on route '{call.Route.Name}'. Rejected: "
            + string.Join("; ", call.Decision.Rejected.Select(r => $"{r.Model} ({r.Policy}: {r.Reason})")), call.Decision);
    }

    protected override ValueTask OnRoutingUpdateAsync(RoutingContext context, FailoverChatClientAttempt attempt, bool isTerminal,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(attempt);
        if (_requests.TryGetValue(context, out var request) && request.Current is { } entry)
        {
            var kind = attempt.Exception is null ? (ChatModelErrorKind?)null
                : attempt.Exception is ChatModelException model ? model.Kind : ChatModelErrorKind.Unknown;
            if (attempt.Exception is not null || attempt.ResponseCompleted)
            {
                request.Call.Decision.AddAttempt(entry.Name, entry.Descriptor.Provider, attempt.Duration, kind);
            }

            if (attempt.Exception is { } exception)
            {
                request.LastFailure = ExceptionDispatchInfo.Capture(exception);
                request.LastFailureAllowsFallback = kind is { } k && exception is not RoutingException && request.Call.Route.FallbackOn.Allows(k);
                if (request.LastFailureAllowsFallback)
                {
                    request.Call.Decision.AddDecidedBy("fallback");
                }
            }

            if (isTerminal)
            {
                _requests.Remove(context);
            }
        }

        return default;
    }

    private sealed class Request(RoutingCall call)
    {
        public RoutingCall Call { get; } = call;

        public int Next { get; set; }

        public ModelEntry? Current { get; set; }

        public ExceptionDispatchInfo? LastFailure { get; set; }

        public bool LastFailureAllowsFallback { get; set; }
    }

    /// <summary>One candidate as MEAI invokes it: through the gate, with the messages and options prepared for its provider.</summary>
    private sealed class GatedClient(RoutingCall call, ModelEntry entry) : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            var (sent, sentOptions) = Prepare(messages, options);
            var response = await ModelGate.GetResponseAsync(entry, call.Classification, sent, sentOptions, call.Decision, cancellationToken)
                .ConfigureAwait(false);
            (response.AdditionalProperties ??= [])[RoutingDecisionExtensions.PropertyName] = call.Decision;
            return response;
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var (sent, sentOptions) = Prepare(messages, options);
            var (updates, hasFirst) = await ModelGate.StartStreamAsync(entry, call.Classification, sent, sentOptions, call.Decision, cancellationToken)
                .ConfigureAwait(false);
            await using (updates.ConfigureAwait(false))
            {
                if (!hasFirst)
                {
                    yield break;
                }

                var first = updates.Current;
                (first.AdditionalProperties ??= [])[RoutingDecisionExtensions.PropertyName] = call.Decision;
                yield return first;
                while (await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    yield return updates.Current;
                }
            }
        }

        // Only the descriptor: handing out the model itself would let a caller bypass the gate.
        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType == typeof(ModelDescriptor) ? entry.Descriptor : null;

        public void Dispose()
        {
        }

        private (IEnumerable<ChatMessage> Messages, ChatOptions? Options) Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
        {
            var provider = entry.Descriptor.Provider;
            call.OriginProvider ??= provider;
            var moved = !string.Equals(call.OriginProvider, provider, StringComparison.OrdinalIgnoreCase);
            return (ConversationPortability.PrepareMessages(messages, call.Table.ForeignPrefixes(provider), moved),
                HybridRouter.PrepareOptions(options, moved));
        }
    }
}
