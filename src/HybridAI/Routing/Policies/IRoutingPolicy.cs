namespace HybridAI;

/// <summary>
/// One step of the strategy layer. A policy reads a <see cref="RoutingCall"/> and either reorders its candidates (a
/// choice) or rejects some of them with a reason (a filter). Policies compose by running in sequence.
/// </summary>
/// <remarks>Implementations are immutable or thread-safe: one instance serves every call on a route.</remarks>
internal interface IRoutingPolicy
{
    /// <summary>Gets the name recorded in <see cref="RoutingDecision.DecidedBy"/> and <see cref="RejectedCandidate.Policy"/>.</summary>
    string Name { get; }

    /// <summary>Applies the policy to a call.</summary>
    /// <param name="call">The call being routed.</param>
    void Apply(RoutingCall call);
}
