using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HybridAI;

/// <summary>
/// The strategy layer: an <see cref="IChatModel"/> that picks, for each call, one of the configured models, by the route of
/// the call's feature and the policies, falls back along the route's chain, enforces the data boundary, sends shadow
/// copies, and attaches its <see cref="RoutingDecision"/> to the response.
/// </summary>
/// <remarks>
/// Thread-safe. The configuration is compiled into an immutable <see cref="RoutingTable"/>; a reload builds a new table and
/// swaps it atomically (a call in flight keeps the table it started with), or, when the new configuration is invalid,
/// keeps the last good table and logs every problem. The router owns and disposes the models it created.
/// </remarks>
internal sealed partial class HybridRouter : IChatModel
{
    private readonly RouterServices _services;
    private readonly RoutingTableBuilder _builder;
    private readonly IOptionsMonitor<HybridAIOptions> _options;
    private readonly ShadowRunner _shadow;
    private readonly IDisposable? _changeRegistration;
    private readonly Lock _reloadLock = new();
    private readonly List<ITimer> _retiring = [];
    private volatile RoutingTable _table;
    private volatile ModelDescriptor _descriptor;
    private bool _disposed;

    public HybridRouter(IOptionsMonitor<HybridAIOptions> options, IEnumerable<IChatModelProvider> providers, RouterServices services,
        ShadowRunner shadow)
    {
        _options = options;
        _services = services;
        _shadow = shadow;
        var current = options.CurrentValue;
        _builder = new RoutingTableBuilder([.. providers], services, name => _options.CurrentValue.GetEnvironmentVariable(name));
        var created = new List<ModelEntry>();
        var (table, problems) = _builder.Build(Section(current), null, created);
        if (table is null)
        {
            DisposeAll(created);
            throw new HybridAIConfigurationException(problems);
        }

        _table = table;
        _descriptor = Describe(table);
        services.Affinity.IdleTimeout = table.AffinityIdleTimeout;
        _changeRegistration = options.OnChange((_, name) =>
        {
            if (string.IsNullOrEmpty(name))
            {
                Reload();
            }
        });
    }

    /// <inheritdoc/>
    public ModelDescriptor Descriptor => _descriptor;

    internal RoutingTable Table => _table;

    internal RouterServices Services => _services;

    internal ShadowRunner Shadow => _shadow;

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return GetResponseCoreAsync(messages, options, null, cancellationToken);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return GetStreamingResponseCoreAsync(messages, options, null, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            // A keyed model is handed out pinned through the router, never raw, so the data boundary still applies.
            return serviceType.IsAssignableFrom(typeof(PinnedChatModel)) && serviceKey is string name && _table.Models.TryGetValue(name, out var entry)
                ? new PinnedChatModel(this, entry.Name)
                : null;
        }

        return serviceType.IsInstanceOfType(this) ? this
            : serviceType == typeof(ModelDescriptor) ? _descriptor
            : serviceType == typeof(RoutingUsage) ? _services.Usage
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _changeRegistration?.Dispose();
            foreach (var timer in _retiring)
            {
                timer.Dispose();
            }

            DisposeAll(_table.Models.Values);
        }
    }

    /// <summary>Rebuilds the table from the current configuration; keeps the last good one when the new one is invalid.</summary>
    internal void Reload()
    {
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return;
            }

            var previous = _table;
            var created = new List<ModelEntry>();
            (RoutingTable? Table, List<string> Problems) result;
            try
            {
                result = _builder.Build(Section(_options.CurrentValue), previous, created);
            }
#pragma warning disable CA1031 // A reload must never crash the process; the last good configuration stays.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                result = (null, [$"HybridAI: {ex.GetType().Name}: {ex.Message}"]);
            }

            if (result.Table is not { } table)
            {
                DisposeAll(created);
                RouterLog.ReloadRejected(_services.Logger, string.Join('\n', result.Problems.Select(p => " - " + p)));
                return;
            }

            _table = table;
            _descriptor = Describe(table);
            _services.Affinity.IdleTimeout = table.AffinityIdleTimeout;
            RouterLog.Reloaded(_services.Logger, table.Models.Count, table.Routes.Count + 1);
            Retire([.. previous.Models.Values.Where(old => !table.Models.ContainsValue(old))]);
        }
    }

    internal async Task<ChatResponse> GetResponseCoreAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, string? pin,
        CancellationToken cancellationToken)
    {
        var call = Plan(_table, messages, options, pin);
        try
        {
            return await ServeAsync(call, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            call.Return();
        }
    }

    private async ValueTask<ChatResponse> ServeAsync(RoutingCall call, CancellationToken cancellationToken)
    {
        using var activity = RoutingTelemetry.StartCall();
        var started = _services.TimeProvider.GetTimestamp();
        var candidates = call.Candidates;
        for (var i = 0; i < call.Count; i++)
        {
            if (call.IsRejected(i))
            {
                continue;
            }

            var entry = candidates[i];
            var (sent, sentOptions) = Prepare(call, entry);
            var attemptStarted = _services.TimeProvider.GetTimestamp();
            ChatResponse response;
            try
            {
                response = await ModelGate.GetResponseAsync(entry, call.Classification, sent, sentOptions, call.Decision, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (FallsBack(call, i, ex, attemptStarted, started, activity, cancellationToken))
            {
                continue;
            }

            var duration = _services.TimeProvider.GetElapsedTime(attemptStarted);
            Complete(call, entry, response.Usage, response.ModelId, duration, _services.TimeProvider.GetElapsedTime(started), activity);
            (response.AdditionalProperties ??= [])[RoutingDecisionExtensions.PropertyName] = call.Decision;
            if (call.Route.Shadow is not null && !call.IsPinned)
            {
                _shadow.TryStart(call, entry, response, duration);
            }

            return response;
        }

        throw Refuse(call, started, activity);
    }

    internal async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseCoreAsync(IEnumerable<ChatMessage> messages, ChatOptions? options,
        string? pin, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var call = Plan(_table, messages, options, pin);
        try
        {
            await foreach (var update in StreamAsync(call, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            call.Return();
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(RoutingCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var activity = RoutingTelemetry.StartCall();
        var started = _services.TimeProvider.GetTimestamp();
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        ModelEntry? entry = null;
        var hasFirst = false;
        var attemptStarted = started;
        var candidates = call.Candidates;
        for (var i = 0; i < call.Count && updates is null; i++)
        {
            if (call.IsRejected(i))
            {
                continue;
            }

            var (sent, sentOptions) = Prepare(call, candidates[i]);
            attemptStarted = _services.TimeProvider.GetTimestamp();
            try
            {
                (updates, hasFirst) = await ModelGate.StartStreamAsync(candidates[i], call.Classification, sent, sentOptions, call.Decision,
                    cancellationToken).ConfigureAwait(false);
                entry = candidates[i];
            }
            catch (Exception ex) when (FallsBack(call, i, ex, attemptStarted, started, activity, cancellationToken))
            {
            }
        }

        if (updates is null || entry is null)
        {
            throw Refuse(call, started, activity);
        }

        await using (updates.ConfigureAwait(false))
        {
            var collected = call.Route.Shadow is not null && !call.IsPinned ? new List<ChatResponseUpdate>() : null;
            UsageDetails? usage = null;
            string? responseModel = null;
            if (hasFirst)
            {
                var update = updates.Current;
                (update.AdditionalProperties ??= [])[RoutingDecisionExtensions.PropertyName] = call.Decision;
                while (true)
                {
                    usage = Accumulate(usage, update);
                    responseModel ??= update.ModelId;
                    collected?.Add(update);

                    // Output is now committed: a failure from here on surfaces to the caller, never a fallback that
                    // would splice two models' answers together.
                    yield return update;
                    bool more;
                    try
                    {
                        more = await updates.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        var kind = ex is ChatModelException model ? model.Kind : ChatModelErrorKind.Unknown;
                        call.Decision.AddAttempt(entry.Name, entry.Descriptor.Provider,
                            _services.TimeProvider.GetElapsedTime(attemptStarted), kind);
                        _services.Telemetry.RecordFailure(activity, call, entry, ex, _services.TimeProvider.GetElapsedTime(started));
                        throw;
                    }

                    if (!more)
                    {
                        break;
                    }

                    update = updates.Current;
                }
            }

            var duration = _services.TimeProvider.GetElapsedTime(attemptStarted);
            Complete(call, entry, usage, responseModel, duration, _services.TimeProvider.GetElapsedTime(started), activity);
            if (collected is not null)
            {
                _shadow.TryStart(call, entry, collected.ToChatResponse(), duration);
            }
        }
    }

    /// <summary>Runs the route's selection and the table's policies, leaving the candidates in the order to try.</summary>
    /// <exception cref="RoutingException">The pinned model does not exist.</exception>
    internal static RoutingCall Plan(RoutingTable table, IEnumerable<ChatMessage> messages, ChatOptions? options, string? pin)
    {
        var context = options.GetRoutingContext() ?? ChatRoutingScope.Current;
        var route = FeatureRoutePolicy.Select(table, context?.Feature, out var routePolicy);
        var classification = context?.Classification ?? table.DefaultClassification;
        if (route.Classification is { } least && least > classification)
        {
            classification = least;
        }

        pin ??= context?.ModelName ?? options?.ModelId;
        RoutingCall call;
        if (pin is not null)
        {
            var pinned = PinnedModelPolicy.Resolve(table, pin)
                ?? throw new RoutingException($"The call pins model '{pin}', but no configured model has that name or model id.");
            call = RoutingCall.Rent(table, route, context, classification, [pinned], 1, messages, options);
            call.IsPinned = true;
            call.Decision.AddDecidedBy(PinnedModelPolicy.Name);
        }
        else
        {
            call = RoutingCall.Rent(table, route, context, classification, route.Candidates, route.Primaries.Length, messages, options);
            call.Decision.AddDecidedBy(routePolicy);
            route.Selection.Apply(call);
        }

        foreach (var policy in table.Policies)
        {
            policy.Apply(call);
        }

        return call;
    }

    /// <summary>Records a failed attempt and tells whether the call moves to the next candidate.</summary>
    private bool FallsBack(RoutingCall call, int index, Exception exception, long attemptStarted, long started, Activity? activity,
        CancellationToken cancellationToken)
    {
        var entry = call.Candidates[index];
        var canceled = exception is OperationCanceledException && cancellationToken.IsCancellationRequested;
        var kind = exception is ChatModelException model ? model.Kind : ChatModelErrorKind.Unknown;
        call.Decision.AddAttempt(entry.Name, entry.Descriptor.Provider, _services.TimeProvider.GetElapsedTime(attemptStarted), kind);
        var next = -1;
        if (!canceled && exception is not RoutingException && call.Route.FallbackOn.Allows(kind))
        {
            for (var i = index + 1; i < call.Count; i++)
            {
                if (!call.IsRejected(i))
                {
                    next = i;
                    break;
                }
            }
        }

        if (next < 0)
        {
            _services.Telemetry.RecordFailure(activity, call, entry, exception, _services.TimeProvider.GetElapsedTime(started));
            return false;
        }

        call.Decision.AddDecidedBy("fallback");
        RouterLog.FallingBack(_services.Logger, entry.Name, kind, call.Candidates[next].Name);
        return true;
    }

    private void Complete(RoutingCall call, ModelEntry entry, UsageDetails? usage, string? responseModel, TimeSpan duration, TimeSpan total,
        Activity? activity)
    {
        var decision = call.Decision;
        decision.AddAttempt(entry.Name, entry.Descriptor.Provider, duration, null);
        var cost = entry.ComputeCost(usage);
        decision.SetUsage(usage?.InputTokenCount, usage?.OutputTokenCount, cost);
        var feature = decision.Feature;
        _services.Usage.Record(entry.Name, feature, usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0, cost ?? 0m);
        if (feature is not null && cost is > 0m && call.Table.Budgets.TryGetValue(feature, out var budget))
        {
            _services.Budget.Add(feature, budget.Period, cost.Value);
        }

        _services.Latency.Observe(entry.Name, duration);
        if (call.ConversationKey is { } key)
        {
            _services.Affinity.Set(key, entry);
        }

        _services.Telemetry.RecordSuccess(activity, call, entry, usage, responseModel, total);
        if (_services.Logger.IsEnabled(LogLevel.Debug))
        {
            RouterLog.Routed(_services.Logger, decision);
        }
    }

    private RoutingException Refuse(RoutingCall call, long started, Activity? activity)
    {
        var decision = call.Decision;
        var reasons = string.Join("; ", decision.Rejected.Select(r => $"{r.Model} ({r.Policy}: {r.Reason})"));
        var what = call.Classification == DataClassification.Sensitive
            ? $"No in-house model qualifies for this sensitive call on route '{call.Route.Name}'; it was not sent anywhere."
            : $"No configured model can serve this call on route '{call.Route.Name}'.";
        var exception = new RoutingException($"{what} Rejected: {(reasons.Length == 0 ? "none" : reasons)}.", decision);
        _services.Telemetry.RecordFailure(activity, call, null, exception, _services.TimeProvider.GetElapsedTime(started));
        RouterLog.Refused(_services.Logger, decision);
        return exception;
    }

    private static UsageDetails? Accumulate(UsageDetails? usage, ChatResponseUpdate update)
    {
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is UsageContent { Details: { } details })
            {
                usage ??= new UsageDetails();
                usage.Add(details);
            }
        }

        return usage;
    }

    private static IConfiguration Section(HybridAIOptions options) =>
        options.Configuration ?? throw new HybridAIConfigurationException("HybridAI: no configuration section was given to AddHybridAI.");

    private static ModelDescriptor Describe(RoutingTable table)
    {
        var models = table.Models.Values.Select(m => m.Descriptor).ToList();
        var capabilities = models.Aggregate(ModelCapabilities.None, (all, m) => all | m.Capabilities);
        return new ModelDescriptor("hybridai-router", "hybridai")
        {
            // The router is in-house only if every model it can reach is; it never claims more than its models.
            Locality = models.All(m => m.Locality == ModelLocality.InHouse) ? ModelLocality.InHouse : ModelLocality.Partner,
            Capabilities = capabilities,
            ContextWindow = models.Max(m => m.ContextWindow),
        };
    }

    private void Retire(IReadOnlyList<ModelEntry> replaced)
    {
        var owned = replaced.Where(e => e.Owned).ToList();
        if (owned.Count == 0)
        {
            return;
        }

        // Calls in flight may still use a replaced model: dispose it after a grace period, not at once.
        ITimer? timer = null;
        timer = _services.TimeProvider.CreateTimer(_ =>
        {
            DisposeAll(owned);
            lock (_reloadLock)
            {
                _retiring.Remove(timer!);
            }

            timer!.Dispose();
        }, null, TimeSpan.FromMinutes(2), Timeout.InfiniteTimeSpan);
        _retiring.Add(timer);
    }

    private void DisposeAll(IEnumerable<ModelEntry> entries)
    {
        foreach (var entry in entries.Where(e => e.Owned))
        {
            try
            {
                entry.Model.Dispose();
            }
#pragma warning disable CA1031 // One model's failing disposal must not stop the others'.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RouterLog.DisposeFailed(_services.Logger, entry.Name, ex);
            }
        }
    }
}
