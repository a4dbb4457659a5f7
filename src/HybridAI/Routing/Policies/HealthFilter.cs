namespace HybridAI;

/// <summary>Rejects models whose circuit breaker is open (they failed too often recently and are cooling down).</summary>
/// <remarks>Stateless and thread-safe; the circuit state lives in each model's resilience pipeline.</remarks>
internal sealed class HealthFilter : IRoutingPolicy
{
    public static HealthFilter Instance { get; } = new();

    public string Name => "health";

    public void Apply(RoutingCall call)
    {
        for (var i = 0; i < call.Count; i++)
        {
            if (!call.Candidates[i].IsHealthy)
            {
                call.Reject(i, Name, $"circuit {call.Candidates[i].Circuit.CircuitState}");
                call.Decision.AddDecidedBy(Name);
            }
        }
    }
}
