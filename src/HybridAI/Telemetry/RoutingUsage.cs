using System.Collections.Concurrent;

namespace HybridAI;

/// <summary>Tokens and cost the router served, per model and per feature, since the router started.</summary>
/// <remarks>
/// Thread-safe. Registered as a singleton by <c>AddHybridAI</c>; the same figures are published as OpenTelemetry metrics
/// (<c>gen_ai.client.token.usage</c>, <c>hybridai.cost</c>) for dashboards.
/// </remarks>
public sealed class RoutingUsage
{
    private readonly ConcurrentDictionary<string, Account> _byModel = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Account> _byFeature = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the totals of one model.</summary>
    /// <param name="model">The model's configured name.</param>
    /// <returns>The totals (zero when the model served nothing).</returns>
    public UsageTotals ForModel(string model) => _byModel.TryGetValue(model, out var account) ? account.Totals : default;

    /// <summary>Gets the totals of one feature.</summary>
    /// <param name="feature">The feature name.</param>
    /// <returns>The totals (zero when the feature made no call).</returns>
    public UsageTotals ForFeature(string feature) => _byFeature.TryGetValue(feature, out var account) ? account.Totals : default;

    /// <summary>Gets the totals of every model that served a call.</summary>
    /// <returns>A snapshot, by model name.</returns>
    public IReadOnlyDictionary<string, UsageTotals> ByModel() => _byModel.ToDictionary(p => p.Key, p => p.Value.Totals, StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the totals of every feature that made a call.</summary>
    /// <returns>A snapshot, by feature name.</returns>
    public IReadOnlyDictionary<string, UsageTotals> ByFeature() => _byFeature.ToDictionary(p => p.Key, p => p.Value.Totals, StringComparer.OrdinalIgnoreCase);

    internal void Record(string model, string? feature, long inputTokens, long outputTokens, decimal cost)
    {
        _byModel.GetOrAdd(model, static _ => new Account()).Add(inputTokens, outputTokens, cost);
        if (feature is not null)
        {
            _byFeature.GetOrAdd(feature, static _ => new Account()).Add(inputTokens, outputTokens, cost);
        }
    }

    private sealed class Account
    {
        private readonly Lock _lock = new();
        private UsageTotals _totals;

        public UsageTotals Totals
        {
            get
            {
                lock (_lock)
                {
                    return _totals;
                }
            }
        }

        public void Add(long inputTokens, long outputTokens, decimal cost)
        {
            lock (_lock)
            {
                _totals = new UsageTotals(_totals.Calls + 1, _totals.InputTokens + inputTokens, _totals.OutputTokens + outputTokens, _totals.Cost + cost);
            }
        }
    }
}
