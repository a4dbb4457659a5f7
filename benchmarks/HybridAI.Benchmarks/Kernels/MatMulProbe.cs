using System.Diagnostics;
using System.Globalization;
using HybridAI.Llama;

namespace HybridAI.Benchmarks;

/// <summary>
/// Quick Stopwatch measurement of a batch matrix product (not BenchmarkDotNet): one thread, the pool's threads sharing the
/// rows, and the same number of threads each running the whole product on its own (no sharing), best of 6 each. Shows how
/// prompt processing's kernels scale over cores. Run with <c>matmul TYPE [rows] [cols] [batch] [threads]</c>.
/// </summary>
internal static unsafe class MatMulProbe
{
    public static void Run(string[] args)
    {
        var type = args.Length > 1 ? Enum.Parse<GgmlType>(args[1]) : GgmlType.Q8_0;
        var rows = Arg(args, 2, 2048);
        var cols = Arg(args, 3, 2048);
        var batch = Arg(args, 4, 128);
        var threads = Arg(args, 5, 2);
        var (weights, x) = KernelBenchmarkData.Create(type, rows, cols, batch);
        var macs = (double)rows * cols * batch;
        var single = 0.0;
        var shared = 0.0;
        var independent = 0.0;
        using var pool = new ComputePool(threads);
        for (var round = 0; round < 6; round++)
        {
            single = Math.Max(single, macs * Passes(weights, x, type, rows, cols, null, out var seconds) / seconds / 1e9);
            shared = Math.Max(shared, macs * Passes(weights, x, type, rows, cols, pool, out seconds) / seconds / 1e9);
            var counts = new int[threads];
            var start = Stopwatch.GetTimestamp();
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                var own = new ActivationBuffer(cols, batch);
                own.Load(type, KernelBenchmarkData.Values(cols * batch), batch, cols);
                counts[t] = Passes(weights, own, type, rows, cols, null, out _);
            })).ToArray();
            foreach (var worker in workers)
            {
                worker.Start();
            }

            foreach (var worker in workers)
            {
                worker.Join();
            }

            independent = Math.Max(independent, macs * counts.Sum() / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
        }

        Console.WriteLine(
            $"{type} {rows}×{cols} × batch {batch}: 1 thread {single:F1} G MAC/s; {threads} threads sharing rows {shared:F1}; {threads} threads each on its own {independent:F1} (best of 6)");
    }

    private static int Passes(byte[] weights, ActivationBuffer x, GgmlType type, int rows, int cols, ComputePool? pool, out double seconds)
    {
        var y = new float[rows * x.Rows];
        var start = Stopwatch.GetTimestamp();
        var passes = 0;
        fixed (byte* w = weights)
        fixed (float* yp = y)
        {
            var matrix = new WeightMatrix(w, type, rows, cols);
            do
            {
                MatMul.Multiply(matrix, x, yp, pool);
                passes++;
            }
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < 0.5);
        }

        seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return passes;
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
}
