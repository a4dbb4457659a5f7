namespace HybridAI;

/// <summary>
/// One validated configuration, compiled: the models, the routes and the policies. The router swaps tables atomically on
/// reload; a call keeps the table it started with.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class RoutingTable
{
    private readonly Dictionary<string, string[]> _foreignPrefixes;

    public RoutingTable(Dictionary<string, ModelEntry> models, Dictionary<string, CompiledRoute> routes, CompiledRoute defaultRoute,
        DataClassification defaultClassification, Dictionary<string, FeatureBudget> budgets, IRoutingPolicy[] policies,
        int shadowMaxConcurrency, TimeSpan shadowTimeout, TimeSpan affinityIdleTimeout)
    {
        Models = models;
        Routes = routes;
        DefaultRoute = defaultRoute;
        DefaultClassification = defaultClassification;
        Budgets = budgets;
        Policies = policies;
        ShadowMaxConcurrency = shadowMaxConcurrency;
        ShadowTimeout = shadowTimeout;
        AffinityIdleTimeout = affinityIdleTimeout;

        // Well-known providers are always foreign to each other, even when not configured, so that history produced by
        // them elsewhere never leaks their state.
        var providers = new HashSet<string>(["openai", "gemini", "llama", "azure", "anthropic", "ollama", "vertex"], StringComparer.OrdinalIgnoreCase);
        foreach (var entry in models.Values)
        {
            providers.Add(entry.Descriptor.Provider);
        }

        _foreignPrefixes = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in providers)
        {
            _foreignPrefixes[provider] = [.. providers.Where(p => !string.Equals(p, provider, StringComparison.OrdinalIgnoreCase)).Select(p => p + ".")];
        }
    }

    public Dictionary<string, ModelEntry> Models { get; }

    /// <summary>Gets the feature routes (the default route is not among them).</summary>
    public Dictionary<string, CompiledRoute> Routes { get; }

    public CompiledRoute DefaultRoute { get; }

    public DataClassification DefaultClassification { get; }

    public Dictionary<string, FeatureBudget> Budgets { get; }

    /// <summary>Gets the policies that run after a route's selection policy, in order.</summary>
    public IRoutingPolicy[] Policies { get; }

    public int ShadowMaxConcurrency { get; }

    public TimeSpan ShadowTimeout { get; }

    public TimeSpan AffinityIdleTimeout { get; }

    /// <summary>Gets the key prefixes (<c>"&lt;provider&gt;."</c>) of every provider other than <paramref name="provider"/>.</summary>
    public string[] ForeignPrefixes(string provider) =>
        _foreignPrefixes.TryGetValue(provider, out var prefixes) ? prefixes : [.. _foreignPrefixes.Keys.Select(p => p + ".")];
}
