using System.Diagnostics;
using HybridAI.Llama;

namespace HybridAI.Cli;

/// <summary>
/// The read bandwidth that bounds generation, measured on the model's own weights: every matrix a generated token reads
/// (the layers' seven and the output head), each split into one contiguous share per thread as generation splits it, summed
/// by <see cref="MemoryRead.Sum"/> (the fastest plain read measured here) on a pool of the same number of threads, without
/// a barrier between matrices. The same pages of the same map, so <c>bench --bandwidth</c> can time it between generation
/// runs and report generation as a fraction of it from the same minute of a shared host.
/// </summary>
/// <remarks>Not thread-safe: one measurement at a time. Allocates nothing per measurement.</remarks>
internal sealed unsafe class WeightReadProbe : IComputeTask, IDisposable
{
    private readonly WeightMatrix[] _matrices;
    private readonly ComputePool _pool;
    private readonly long[] _sinks;

    public WeightReadProbe(LlamaModel model, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        _matrices =
        [
            .. model.Weights.Layers.SelectMany(l => new[] { l.Query, l.Key, l.Value, l.Output, l.Gate, l.Up, l.Down }),
            model.Weights.Output,
        ];
        BytesPerToken = _matrices.Sum(m => m.Rows * m.RowBytes);
        _pool = new ComputePool(threads);
        _sinks = new long[threads * 8];
    }

    /// <summary>Gets the weight bytes a generated token reads: every matrix once (norm vectors and the KV cache not counted).</summary>
    public long BytesPerToken { get; }

    /// <summary>Reads every matrix <paramref name="passes"/> times and returns the best pass's bytes per second.</summary>
    public double MeasureBytesPerSecond(int passes = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(passes);
        var best = 0.0;
        for (var pass = 0; pass < passes; pass++)
        {
            var start = Stopwatch.GetTimestamp();
            _pool.Run(this, _pool.ThreadCount);
            best = Math.Max(best, BytesPerToken / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return best;
    }

    /// <inheritdoc />
    public void Execute(int start, int end, int threadIndex)
    {
        var threads = _pool.ThreadCount;
        long sink = 0;
        foreach (var m in _matrices)
        {
            var first = (int)((long)m.Rows * threadIndex / threads);
            var last = (int)((long)m.Rows * (threadIndex + 1) / threads);
            sink += MemoryRead.Sum(m.Row(first), (last - first) * m.RowBytes);
        }

        _sinks[threadIndex * 8] = sink;
    }

    /// <inheritdoc />
    public void Dispose() => _pool.Dispose();
}
