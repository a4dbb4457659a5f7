namespace HybridAI;

/// <summary>A model the router did not choose for a call, the policy that rejected it and why.</summary>
/// <param name="Model">The model's configured name.</param>
/// <param name="Policy">The policy that rejected it (for example <c>"data-boundary"</c>).</param>
/// <param name="Reason">Why, in words a person can act on.</param>
public sealed record RejectedCandidate(string Model, string Policy, string Reason);
