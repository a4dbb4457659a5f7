using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using HybridAI.Llama;

namespace HybridAI.Cli;

/// <summary>
/// The read bandwidth that bounds generation, measured on the model's own weights: every matrix a generated token reads
/// (the layers' seven and the output head), each split into one contiguous share per thread as generation splits it, summed
/// with 256-bit loads and two-stage software prefetch, 2 KiB ahead into L1 and 16 KiB ahead into L2 (the fastest plain read
/// measured here) on a pool of the same number
/// of threads, without a barrier between matrices. The same pages of the same map, so <c>bench --bandwidth</c> can time it
/// between generation runs and report generation as a fraction of it from the same minute of a shared host.
/// </summary>
/// <remarks>Not thread-safe: one measurement at a time. Allocates nothing per measurement.</remarks>
internal sealed unsafe class WeightReadProbe : IComputeTask, IDisposable
{
    /// <summary>How far ahead the read fetches into L2.</summary>
    private const int FarAhead = 16 * 1024;

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
            sink += Sum(m.Row(first), (last - first) * m.RowBytes);
        }

        _sinks[threadIndex * 8] = sink;
    }

    /// <summary>
    /// The sum of the bytes as 64-bit words (a result the JIT cannot drop), 128 bytes a step, prefetching into L1 2 KiB ahead
    /// and into L2 16 KiB ahead (a prefetch past the end never faults). The second stage, as in the kernels'
    /// <see cref="GroupPrefetch"/>, made this read 4–5 % faster than the L1 prefetch alone (docs/benchmarks.md, session 8),
    /// so it is the limit generation is measured against.
    /// </summary>
    internal static long Sum(byte* p, long bytes)
    {
        Vector256<long> a0 = default, a1 = default, a2 = default, a3 = default;
        var end = p + bytes;
        for (; p + 128 <= end; p += 128)
        {
            if (Sse.IsSupported)
            {
                Sse.Prefetch0(p + 2048);
                Sse.Prefetch0(p + 2048 + 64);
                Sse.Prefetch1(p + FarAhead);
                Sse.Prefetch1(p + FarAhead + 64);
            }

            a0 += Vector256.Load((long*)p);
            a1 += Vector256.Load((long*)(p + 32));
            a2 += Vector256.Load((long*)(p + 64));
            a3 += Vector256.Load((long*)(p + 96));
        }

        var sum = Vector256.Sum(a0 + a1 + a2 + a3);
        for (; p < end; p++)
        {
            sum += *p;
        }

        return sum;
    }

    /// <inheritdoc />
    public void Dispose() => _pool.Dispose();
}
