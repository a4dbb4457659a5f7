namespace HybridAI;

/// <summary>Orders a route's models by price (input plus output per million tokens), cheapest first; unknown prices go last.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class CheapestModelPolicy : IRoutingPolicy
{
    public static CheapestModelPolicy Instance { get; } = new();

    public string Name => "cheapest";

    public void Apply(RoutingCall call)
    {
        call.SortBy(0, call.PrimaryCount, 0, static (entry, _) => (double)entry.Price);
        call.Decision.AddDecidedBy(Name);
    }
}
