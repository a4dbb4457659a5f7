namespace HybridAI;

/// <summary>
/// Splits a route's traffic by weights (for example 90/10). With a sticky key, a key always lands on the same model, and
/// when the weights change only the keys that must move do (weighted rendezvous hashing); without one, each call draws
/// at random. The chosen model goes first; the route's other weighted models follow by weight, as implicit fallbacks.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class WeightedRolloutPolicy : IRoutingPolicy
{
    private readonly int _total;

    public WeightedRolloutPolicy(int[] weights)
    {
        Weights = weights;
        _total = weights.Sum();
    }

    public int[] Weights { get; }

    public string Name => "weighted-rollout";

    public void Apply(RoutingCall call)
    {
        var primaries = call.Route.Primaries;
        var key = call.Context?.StickyKey;
        var pick = key is null ? RendezvousHash.PickRandom(Weights, _total) : RendezvousHash.Pick(key, primaries, Weights);
        if (pick > 0)
        {
            call.MoveToFront(pick);
        }

        call.Decision.AddDecidedBy(Name);
    }
}
