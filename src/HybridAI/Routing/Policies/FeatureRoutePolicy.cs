namespace HybridAI;

/// <summary>Chooses the route of a call by its feature name; features without a route of their own use the default route.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class FeatureRoutePolicy
{
    public const string Name = "feature-route";

    public const string DefaultName = "default-route";

    public static CompiledRoute Select(RoutingTable table, string? feature, out string policy)
    {
        if (feature is not null && table.Routes.TryGetValue(feature, out var route))
        {
            policy = Name;
            return route;
        }

        policy = DefaultName;
        return table.DefaultRoute;
    }
}
