namespace HybridAI;

/// <summary>Serves a route with one fixed model (its fallbacks still apply): the route's primaries keep their configured order.</summary>
internal sealed class FixedModelPolicy : IRoutingPolicy
{
    public static FixedModelPolicy Instance { get; } = new();

    public string Name => "fixed";

    public void Apply(RoutingCall call) => call.Decision.AddDecidedBy(Name);
}
