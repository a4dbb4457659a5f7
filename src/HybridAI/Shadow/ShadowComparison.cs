namespace HybridAI;

/// <summary>
/// One shadow pair: the call as the serving model answered it and as the shadow candidate answered the same call in the
/// background. A team reads these to decide, from data, when a candidate (for example the in-house model) is ready.
/// </summary>
/// <remarks>Immutable.</remarks>
public sealed record ShadowComparison
{
    /// <summary>Gets the route the call took.</summary>
    public required string Route { get; init; }

    /// <summary>Gets the feature of the call, if it named one.</summary>
    public string? Feature { get; init; }

    /// <summary>Gets the model that served the caller.</summary>
    public required string PrimaryModel { get; init; }

    /// <summary>Gets the shadow candidate.</summary>
    public required string ShadowModel { get; init; }

    /// <summary>Gets how long the serving model took.</summary>
    public TimeSpan PrimaryDuration { get; init; }

    /// <summary>Gets how long the shadow took (until it failed, when it did).</summary>
    public TimeSpan ShadowDuration { get; init; }

    /// <summary>Gets the serving model's input tokens, when reported.</summary>
    public long? PrimaryInputTokens { get; init; }

    /// <summary>Gets the serving model's output tokens, when reported.</summary>
    public long? PrimaryOutputTokens { get; init; }

    /// <summary>Gets the shadow's input tokens, when reported.</summary>
    public long? ShadowInputTokens { get; init; }

    /// <summary>Gets the shadow's output tokens, when reported.</summary>
    public long? ShadowOutputTokens { get; init; }

    /// <summary>Gets the serving model's cost, when its price is known.</summary>
    public decimal? PrimaryCost { get; init; }

    /// <summary>Gets the shadow's cost, when its price is known.</summary>
    public decimal? ShadowCost { get; init; }

    /// <summary>Gets the agreement between the two answers (0 to 1), or null when the shadow failed.</summary>
    public double? Agreement { get; init; }

    /// <summary>Gets the name of the scorer that computed <see cref="Agreement"/>.</summary>
    public string? Scorer { get; init; }

    /// <summary>Gets why the shadow failed, or null when it answered.</summary>
    public ChatModelErrorKind? ShadowError { get; init; }
}
