namespace HybridAI;

/// <summary>
/// What the router needs to know about one call: the feature, a stable key for stickiness, how sensitive the data is,
/// what the call requires, and an optional cost ceiling. Product code sets it without depending on any provider, either
/// on the <c>ChatOptions</c> of the call (<see cref="ChatOptionsRoutingExtensions.WithRouting"/>) or for a whole block of
/// code with <see cref="ChatRoutingScope.Begin"/>; the options win when both are present.
/// </summary>
/// <remarks>Instances are immutable once built and safe to share between threads and calls.</remarks>
public sealed class ChatRoutingContext
{
    /// <summary>Gets the feature the call belongs to (for example <c>"translation"</c>); it selects the route. Null uses the default route.</summary>
    public string? Feature { get; init; }

    /// <summary>
    /// Gets a stable key (user or tenant id) that keeps a caller on the same model during a weighted rollout.
    /// Without one, each call draws its model at random by the rollout weights.
    /// </summary>
    public string? StickyKey { get; init; }

    /// <summary>
    /// Gets a key for the conversation, so that it keeps to one model while that model stays healthy and in the route.
    /// When null, <c>ChatOptions.ConversationId</c> is used if set.
    /// </summary>
    public string? ConversationKey { get; init; }

    /// <summary>Gets how sensitive the data is; null uses the route's or the configured default classification.</summary>
    public DataClassification? Classification { get; init; }

    /// <summary>Gets capabilities the model must have, beyond those the call itself implies (tools, JSON schema, images).</summary>
    public ModelCapabilities RequiredCapabilities { get; init; }

    /// <summary>Gets the smallest context window (in tokens) the model must have, if any.</summary>
    public int? MinimumContextWindow { get; init; }

    /// <summary>
    /// Gets the most this call may cost, estimated before it is sent from the prompt length (about four characters a token)
    /// and <c>ChatOptions.MaxOutputTokens</c>. Models whose price is unknown do not qualify when a ceiling is set.
    /// </summary>
    public decimal? CostCeiling { get; init; }

    /// <summary>Gets the name of a configured model to pin this call to; the data boundary still applies.</summary>
    public string? ModelName { get; init; }
}
