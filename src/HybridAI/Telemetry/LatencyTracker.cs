using System.Collections.Concurrent;

namespace HybridAI;

/// <summary>An exponentially weighted mean of each model's successful call latency, for the lowest-latency policy.</summary>
/// <remarks>Thread-safe; lock-free updates may occasionally lose one observation under contention, which the mean tolerates.</remarks>
internal sealed class LatencyTracker
{
    private const double Smoothing = 0.2;
    private readonly ConcurrentDictionary<string, Mean> _means = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the mean latency in seconds, or 0 for a model not yet observed (so that it gets tried).</summary>
    public double GetMeanSeconds(string model) => _means.TryGetValue(model, out var mean) ? Volatile.Read(ref mean.Seconds) : 0d;

    public void Observe(string model, TimeSpan duration)
    {
        var mean = _means.GetOrAdd(model, static _ => new Mean());
        var previous = Volatile.Read(ref mean.Seconds);
        var next = previous == 0d ? duration.TotalSeconds : previous + (Smoothing * (duration.TotalSeconds - previous));
        Volatile.Write(ref mean.Seconds, next);
    }

    private sealed class Mean
    {
        public double Seconds;
    }
}
