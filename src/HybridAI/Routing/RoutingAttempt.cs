namespace HybridAI;

/// <summary>One model the router sent a call to.</summary>
/// <param name="Model">The model's configured name.</param>
/// <param name="Provider">The model's provider.</param>
/// <param name="Duration">How long the attempt took (for streaming, until the stream ended or failed).</param>
/// <param name="ErrorKind">Why it failed, or null when it served the call.</param>
public sealed record RoutingAttempt(string Model, string Provider, TimeSpan Duration, ChatModelErrorKind? ErrorKind)
{
    /// <summary>Gets a value telling whether this attempt served the call.</summary>
    public bool Succeeded => ErrorKind is null;
}
