using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// Sends a copy of a served call to the route's shadow candidate in the background, scores the two answers and reports the
/// pair. The caller's answer is already returned (or streamed) when the shadow starts, so a failing or slow shadow cannot
/// delay or change it.
/// </summary>
/// <remarks>
/// Thread-safe. At most <c>Shadow:MaxConcurrency</c> shadow calls run at once; more are dropped and counted. A sensitive call
/// is shadowed only to an in-house candidate (checked here, and again by <see cref="DataBoundary"/> in
/// <see cref="ModelGate"/>). Each shadow call has its own time limit (<c>Shadow:Timeout</c>), not the caller's token.
/// </remarks>
internal sealed class ShadowRunner(RouterServices services, IShadowAgreementScorer scorer, IEnumerable<IShadowObserver> observers)
{
    private readonly IShadowObserver[] _observers = [.. observers];
    private int _inFlight;

    /// <summary>Gets the number of shadow calls running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void TryStart(RoutingCall call, ModelEntry primary, ChatResponse primaryResponse, TimeSpan primaryDuration)
    {
        var shadow = call.Route.Shadow!;
        if (ReferenceEquals(shadow, primary))
        {
            return;
        }

        if (!DataBoundary.Allows(shadow.Descriptor, call.Classification))
        {
            Count("skipped", shadow);
            RouterLog.ShadowDropped(services.Logger, shadow.Name, "the call is sensitive and the shadow is not in-house");
            return;
        }

        if (Interlocked.Increment(ref _inFlight) > call.Table.ShadowMaxConcurrency)
        {
            Interlocked.Decrement(ref _inFlight);
            Count("dropped", shadow);
            RouterLog.ShadowDropped(services.Logger, shadow.Name, "too many shadow calls in flight");
            return;
        }

        call.Decision.ShadowModel = shadow.Name;

        // Snapshot now: the caller owns its message list and may change it as soon as it has its answer.
        var moved = !string.Equals(primary.Descriptor.Provider, shadow.Descriptor.Provider, StringComparison.OrdinalIgnoreCase);
        var messages = ConversationPortability.PrepareMessages(call.Messages, call.Table.ForeignPrefixes(shadow.Descriptor.Provider), moved).ToArray();
        var options = HybridRouter.PrepareOptions(call.Options, moved);
        if (options is not null && ReferenceEquals(options, call.Options))
        {
            options = options.Clone();
        }

        var pair = new Pair(call.Route.Name, call.Decision.Feature, call.Classification, primary, primaryResponse, primaryDuration,
            shadow, messages, options, call.Table.ShadowTimeout);
        _ = Task.Run(() => RunAsync(pair));
    }

    private async Task RunAsync(Pair pair)
    {
        var started = services.TimeProvider.GetTimestamp();
        try
        {
            using var timeout = new CancellationTokenSource(pair.Timeout, services.TimeProvider);
            ChatResponse? response = null;
            ChatModelErrorKind? error = null;
            double? agreement = null;
            try
            {
                // Shadow traffic must never carry options that make the provider store or continue the caller's conversation.
                if (pair.Options is not null)
                {
                    pair.Options.ConversationId = null;
                }

                response = await ModelGate.GetResponseAsync(pair.Shadow, pair.Classification, pair.Messages, pair.Options, null, timeout.Token)
                    .ConfigureAwait(false);
                agreement = Math.Clamp(await scorer.ScoreAsync(pair.PrimaryResponse, response, timeout.Token).ConfigureAwait(false), 0d, 1d);
            }
#pragma warning disable CA1031 // A shadow's failure is reported, never propagated.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex is ChatModelException model ? model.Kind
                    : ex is OperationCanceledException ? ChatModelErrorKind.Timeout
                    : ChatModelErrorKind.Unknown;
                RouterLog.ShadowFailed(services.Logger, pair.Shadow.Name, ex);
            }

            var duration = services.TimeProvider.GetElapsedTime(started);
            var comparison = new ShadowComparison
            {
                Route = pair.Route,
                Feature = pair.Feature,
                PrimaryModel = pair.Primary.Name,
                ShadowModel = pair.Shadow.Name,
                PrimaryDuration = pair.PrimaryDuration,
                ShadowDuration = duration,
                PrimaryInputTokens = pair.PrimaryResponse.Usage?.InputTokenCount,
                PrimaryOutputTokens = pair.PrimaryResponse.Usage?.OutputTokenCount,
                ShadowInputTokens = response?.Usage?.InputTokenCount,
                ShadowOutputTokens = response?.Usage?.OutputTokenCount,
                PrimaryCost = pair.Primary.ComputeCost(pair.PrimaryResponse.Usage),
                ShadowCost = pair.Shadow.ComputeCost(response?.Usage),
                Agreement = agreement,
                Scorer = agreement is null ? null : scorer.Name,
                ShadowError = error,
            };
            Report(comparison, pair);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void Report(ShadowComparison comparison, Pair pair)
    {
        var telemetry = services.Telemetry;
        var tags = new System.Diagnostics.TagList
        {
            { "hybridai.route", pair.Route },
            { "hybridai.model", pair.Primary.Name },
            { "hybridai.shadow.model", pair.Shadow.Name },
            { "hybridai.shadow.outcome", comparison.ShadowError is null ? "completed" : "failed" },
        };
        telemetry.ShadowCalls.Add(1, tags);
        telemetry.ShadowDuration.Record(comparison.ShadowDuration.TotalSeconds, tags);
        if (comparison.Agreement is { } agreement)
        {
            telemetry.ShadowAgreement.Record(agreement, tags);
        }

        if (comparison.ShadowCost is { } cost)
        {
            telemetry.ShadowCost.Add((double)cost, tags);
        }

        foreach (var observer in _observers)
        {
            try
            {
                observer.OnCompared(comparison);
            }
#pragma warning disable CA1031 // One observer's failure must not affect others.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RouterLog.ObserverFailed(services.Logger, ex);
            }
        }
    }

    private void Count(string outcome, ModelEntry shadow) =>
        services.Telemetry.ShadowCalls.Add(1, new KeyValuePair<string, object?>("hybridai.shadow.model", shadow.Name),
            new KeyValuePair<string, object?>("hybridai.shadow.outcome", outcome));

    private sealed record Pair(string Route, string? Feature, DataClassification Classification, ModelEntry Primary,
        ChatResponse PrimaryResponse, TimeSpan PrimaryDuration, ModelEntry Shadow, ChatMessage[] Messages, ChatOptions? Options,
        TimeSpan Timeout);
}
