using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using HybridAI.Llama;

namespace HybridAI.Benchmarks;

/// <summary>
/// Quick Stopwatch measurements (not BenchmarkDotNet): the machine's read bandwidth (a 1 GiB buffer summed with Vector256
/// over 1 and N threads, plainly and with software prefetch 2 KiB ahead into L1 and 16 KiB ahead into L2, which reads ~10-15% faster here) and, optionally, matrix-vector products streamed over a GGUF file's bytes as Q4_0/Q8_0/Q4_K/Q6_K weights,
/// so kernel throughput can be compared with the bandwidth limit. Run with <c>bandwidth [threads] [file]</c>.
/// </summary>
internal static unsafe class BandwidthProbe
{
    private const long BufferBytes = 1L << 30;

    public static void Run(string[] args)
    {
        var threads = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        var buffer = (byte*)NativeMemory.AlignedAlloc((nuint)BufferBytes, 4096);
        try
        {
            // Touch every page so that page faults are not measured.
            new Span<byte>(buffer, int.MaxValue / 2).Fill(1);
            new Span<byte>(buffer + (int.MaxValue / 2), (int)(BufferBytes - (int.MaxValue / 2))).Fill(1);
            for (var t = 1; t <= threads; t++)
            {
                var best = 0.0;
                var bestPrefetched = 0.0;
                for (var rep = 0; rep < 5; rep++)
                {
                    best = Math.Max(best, SumGBps(buffer, BufferBytes, t));
                    bestPrefetched = Math.Max(bestPrefetched, SumGBps(buffer, BufferBytes, t, prefetch: true));
                }

                Console.WriteLine($"read bandwidth, {t} thread(s), 1 GiB Vector256 sum: best of 5 = {best:F1} GB/s; with prefetch 2 KiB ahead into L1 and 16 KiB into L2 {bestPrefetched:F1} GB/s");
            }
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }

        ResidentKernels();
        if (args.Length > 2)
        {
            StreamKernels(args[2], threads);
        }
    }

    // Kernel compute rate with the weights in cache: 512 rows × 2048 of properly quantized random values per type.
    private static void ResidentKernels()
    {
        const int Rows = 512, Cols = 2048, Passes = 1000;
        var random = new Random(3);
        var values = new float[Cols];
        using var pool = new ComputePool(1);
        var y = new float[Rows];
        foreach (var type in new[] { GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K })
        {
            var rowBytes = (int)GgmlTypeInfo.RowBytes(type, Cols);
            var weights = GC.AllocateUninitializedArray<byte>(rowBytes * Rows, pinned: true);
            for (var r = 0; r < Rows; r++)
            {
                for (var i = 0; i < Cols; i++)
                {
                    values[i] = (float)(random.NextDouble() - 0.5);
                }

                Quantizer.QuantizeRow(type, values, weights.AsSpan(r * rowBytes, rowBytes));
            }

            var activations = new ActivationBuffer(Cols, 1);
            activations.Load(type, values, 1, Cols);
            var best = 0.0;
            fixed (byte* w = weights)
            fixed (float* yp = y)
            {
                for (var rep = 0; rep < 4; rep++)
                {
                    var cpu = CpuSeconds();
                    for (var m = 0; m < Passes; m++)
                    {
                        MatMul.Multiply(new WeightMatrix(w, type, Rows, Cols), activations, yp, pool);
                    }

                    best = Math.Max(best, (double)Passes * Rows * Cols / (CpuSeconds() - cpu) / 1e9);
                }
            }

            Console.WriteLine($"{type} mat-vec (default order), 1 thread, {Rows}×{Cols} in cache: best of 4 = {best:F1} G elements per CPU second = {best * rowBytes / Cols:F1} GB/s of weights");
        }
    }

    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static double SumGBps(byte* data, long bytes, int threads, bool prefetch = false)
    {
        var start = Stopwatch.GetTimestamp();
        var sinks = new long[threads];
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var index = t;
            workers[t] = new Thread(() => sinks[index] = MemoryRead.Sum(data + (bytes * index / threads), bytes / threads, prefetch));
            workers[t].Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        GC.KeepAlive(sinks);
        return bytes / seconds / 1e9;
    }

    private static void StreamKernels(string path, int threads)
    {
        const int Cols = 2048;
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* basePointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePointer);
        try
        {
            var length = (long)view.SafeMemoryMappedViewHandle.ByteLength;
            var x = new float[Cols];
            var random = new Random(1);
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = (float)(random.NextDouble() - 0.5);
            }

            for (var t = 1; t <= threads; t++)
            {
                var bestMapped = 0.0;
                var bestPrefetched = 0.0;
                var bestCpu = 0.0;
                for (var rep = 0; rep < 4; rep++)
                {
                    var cpu = CpuSeconds();
                    bestMapped = Math.Max(bestMapped, SumGBps(basePointer, length & ~127L, t));
                    bestCpu = Math.Max(bestCpu, (length & ~127L) / (CpuSeconds() - cpu) / 1e9);
                    bestPrefetched = Math.Max(bestPrefetched, SumGBps(basePointer, length & ~127L, t, prefetch: true));
                }

                Console.WriteLine($"read of the mapped file, {t} thread(s): best of 4 = {bestCpu:F1} GB per CPU second");

                Console.WriteLine($"read bandwidth of the mapped file, {t} thread(s): best of 4 = {bestMapped:F1} GB/s; with prefetch 2 KiB ahead into L1 and 16 KiB into L2 {bestPrefetched:F1} GB/s");
            }

            var y = (float*)NativeMemory.AlignedAlloc(1 << 20, 64);
            using var pool = new ComputePool(threads);
            foreach (var type in new[] { GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K })
            {
                var activations = new ActivationBuffer(Cols, 1);
                activations.Load(type, x, 1, Cols);
                var rowBytes = GgmlTypeInfo.RowBytes(type, Cols);
                const int Rows = 5632;
                var matrixBytes = rowBytes * Rows;
                var matrices = (int)((length - 4096) / matrixBytes);
                foreach (var repacked in type == GgmlType.Q4_0 ? new[] { true, false } : new[] { false })
                {
                    using var singlePool = new ComputePool(1);
                    var bestSingle = 0.0;
                    for (var rep = 0; rep < 4; rep++)
                    {
                        var cpu = CpuSeconds();
                        for (var m = 0; m < matrices; m++)
                        {
                            var w = new WeightMatrix(basePointer + 4096 + (m * matrixBytes), type, Rows, Cols, repacked);
                            MatMul.Multiply(w, activations, y, singlePool);
                        }

                        bestSingle = Math.Max(bestSingle, matrices * matrixBytes / (CpuSeconds() - cpu) / 1e9);
                    }

                    var bestResident = 0.0;
                    for (var rep = 0; rep < 4; rep++)
                    {
                        var cpu = CpuSeconds();
                        var resident = new WeightMatrix(basePointer + 4096, type, 512, Cols, repacked);
                        for (var m = 0; m < 2000; m++)
                        {
                            MatMul.Multiply(resident, activations, y, singlePool);
                        }

                        bestResident = Math.Max(bestResident, 2000.0 * 512 * Cols / (CpuSeconds() - cpu) / 1e9);
                    }

                    Console.WriteLine($"{type}{(repacked ? " repacked order" : string.Empty)} mat-vec, 1 thread, 512 rows in cache: best of 4 = {bestResident:F1} G elements per CPU second");
                    Console.WriteLine($"{type}{(repacked ? " repacked order" : string.Empty)} mat-vec, 1 thread: best of 4 = {bestSingle:F1} GB of weights per CPU second");
                    var best = 0.0;
                    for (var rep = 0; rep < 4; rep++)
                    {
                        var start = Stopwatch.GetTimestamp();
                        for (var m = 0; m < matrices; m++)
                        {
                            var w = new WeightMatrix(basePointer + 4096 + (m * matrixBytes), type, Rows, Cols, repacked);
                            MatMul.Multiply(w, activations, y, pool);
                        }

                        best = Math.Max(best, matrices * matrixBytes / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
                    }

                    Console.WriteLine($"{type}{(repacked ? " repacked order" : string.Empty)} mat-vec over {matrices} × {Rows}×{Cols} of the mapped file, {threads} thread(s): best of 4 = {best:F1} GB/s of weights");
                }
            }

            NativeMemory.AlignedFree(y);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }
}
