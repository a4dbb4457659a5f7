namespace HybridAI;

/// <summary>A route as validated and resolved from configuration: its models, weights, fallbacks, shadow and policies.</summary>
/// <remarks>Immutable; shared by every call that uses the route.</remarks>
internal sealed class CompiledRoute
{
    public CompiledRoute(string name, ModelEntry[] primaries, int[]? weights, ModelEntry[] fallbacks, ModelEntry? shadow,
        DataClassification? classification, FallbackRule fallbackOn, IRoutingPolicy selection)
    {
        Name = name;
        Primaries = primaries;
        Weights = weights;
        Fallbacks = fallbacks;
        Shadow = shadow;
        Classification = classification;
        FallbackOn = fallbackOn;
        Selection = selection;
        var all = new List<ModelEntry>(primaries.Length + fallbacks.Length);
        foreach (var entry in primaries.Concat(fallbacks))
        {
            if (!all.Contains(entry))
            {
                all.Add(entry);
            }
        }

        Candidates = [.. all];
    }

    /// <summary>Gets the route's name: <c>"default"</c> or the feature it serves.</summary>
    public string Name { get; }

    /// <summary>Gets the models the selection policy chooses among, ordered by descending weight for a rollout.</summary>
    public ModelEntry[] Primaries { get; }

    /// <summary>Gets the rollout weight of each primary (parallel to <see cref="Primaries"/>), or null when not a rollout.</summary>
    public int[]? Weights { get; }

    /// <summary>Gets the fallback chain, tried in order after the primaries.</summary>
    public ModelEntry[] Fallbacks { get; }

    /// <summary>Gets the primaries followed by the fallbacks, without repeats.</summary>
    public ModelEntry[] Candidates { get; }

    /// <summary>Gets the shadow candidate that receives a copy of each call, if any.</summary>
    public ModelEntry? Shadow { get; }

    /// <summary>Gets the least classification of every call on this route, if the route declares one.</summary>
    public DataClassification? Classification { get; }

    /// <summary>Gets the failure kinds that move a call to the next candidate.</summary>
    public FallbackRule FallbackOn { get; }

    /// <summary>Gets the policy that orders the primaries (fixed, weighted rollout, cheapest or fastest).</summary>
    public IRoutingPolicy Selection { get; }
}
