namespace HybridAI;

/// <summary>
/// Rejects every partner model for a sensitive call, so that routing picks an in-house model when one qualifies. This is
/// the early, explaining half of the data boundary; <see cref="DataBoundary"/> enforces it again right before any model is
/// invoked, whatever the policies decided.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal sealed class DataBoundaryFilter : IRoutingPolicy
{
    public static DataBoundaryFilter Instance { get; } = new();

    public string Name => "data-boundary";

    public void Apply(RoutingCall call)
    {
        if (call.Classification != DataClassification.Sensitive)
        {
            return;
        }

        for (var i = 0; i < call.Count; i++)
        {
            if (!call.Candidates[i].IsInHouse)
            {
                call.Reject(i, Name, "sensitive data may only go to in-house models");
            }
        }

        call.Decision.AddDecidedBy(Name);
    }
}
