using BenchmarkDotNet.Attributes;
using HybridAI.Llama;

namespace HybridAI.Benchmarks;

/// <summary>A 2048×2048 Q4_0 matrix-vector product on the caller alone (baseline) vs a two-thread <see cref="ComputePool"/>.</summary>
[MemoryDiagnoser]
public unsafe class MatVecThreadsBenchmarks
{
    private const int Size = 2048;
    private byte[] _weights = [];
    private ActivationBuffer _x = null!;
    private float[] _y = [];
    private ComputePool _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_weights, _x) = KernelBenchmarkData.Create(GgmlType.Q4_0, Size, Size, 1);
        _y = GC.AllocateUninitializedArray<float>(Size, pinned: true);
        _pool = new ComputePool(2);
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(Baseline = true)]
    public void OneThread() => Run(null);

    [Benchmark]
    public void TwoThreads() => Run(_pool);

    private void Run(ComputePool? pool)
    {
        fixed (byte* w = _weights)
        fixed (float* y = _y)
        {
            MatMul.Multiply(new WeightMatrix(w, GgmlType.Q4_0, Size, Size), _x, y, pool);
        }
    }
}
