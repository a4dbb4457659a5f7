using Polly.CircuitBreaker;

namespace HybridAI;

/// <summary>
/// A model's health as the circuit breaker sees it. Polly moves an open circuit to half-open only when a call is attempted,
/// so this also remembers when the cooldown ends: after that the model counts as healthy again and the next call tests it.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class CircuitHealth(TimeProvider timeProvider)
{
    private long _openUntilTicks;

    public CircuitBreakerStateProvider State { get; } = new();

    public CircuitState CircuitState => State.CircuitState;

    public bool IsHealthy => State.CircuitState switch
    {
        CircuitState.Closed or CircuitState.HalfOpen => true,
        CircuitState.Open => timeProvider.GetUtcNow().UtcTicks >= Interlocked.Read(ref _openUntilTicks),
        _ => false,
    };

    /// <summary>Records that the circuit opened for <paramref name="breakDuration"/>.</summary>
    public void Opened(TimeSpan breakDuration) =>
        Interlocked.Exchange(ref _openUntilTicks, (timeProvider.GetUtcNow() + breakDuration).UtcTicks);
}
