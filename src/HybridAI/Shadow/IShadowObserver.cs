namespace HybridAI;

/// <summary>Receives every shadow pair. Register implementations as services; <c>AddHybridAI</c> passes them all to the router.</summary>
/// <remarks>
/// Called on a background thread, possibly concurrently: implementations must be thread-safe and quick (hand the data off
/// rather than do I/O inline). An observer's exception is logged and never reaches the caller or other observers.
/// </remarks>
public interface IShadowObserver
{
    /// <summary>Called when a shadow call completes or fails.</summary>
    /// <param name="comparison">The pair.</param>
    void OnCompared(ShadowComparison comparison);
}
