namespace HybridAI;

/// <summary>
/// Resolves a model pinned by the call (<see cref="ChatRoutingContext.ModelName"/> or <c>ChatOptions.ModelId</c>) to a
/// configured model, by name or else by the provider's model id. The pinned model is then the only candidate; the data
/// boundary and the other filters still apply to it.
/// </summary>
internal static class PinnedModelPolicy
{
    public const string Name = "pinned";

    public static ModelEntry? Resolve(RoutingTable table, string pinned)
    {
        if (table.Models.TryGetValue(pinned, out var entry))
        {
            return entry;
        }

        foreach (var candidate in table.Models.Values)
        {
            if (string.Equals(candidate.Descriptor.ModelId, pinned, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        return null;
    }
}
