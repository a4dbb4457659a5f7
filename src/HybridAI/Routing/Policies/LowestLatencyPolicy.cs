namespace HybridAI;

/// <summary>
/// Orders a route's models by their observed latency (an exponentially weighted mean of successful calls), fastest first.
/// A model not yet observed counts as fastest, so that every model gets measured.
/// </summary>
/// <remarks>Thread-safe; the latency observations are shared across configuration reloads.</remarks>
internal sealed class LowestLatencyPolicy(LatencyTracker latency) : IRoutingPolicy
{
    public string Name => "lowest-latency";

    public void Apply(RoutingCall call)
    {
        call.SortBy(0, call.PrimaryCount, latency, static (entry, tracker) => tracker.GetMeanSeconds(entry.Name));
        call.Decision.AddDecidedBy(Name);
    }
}
