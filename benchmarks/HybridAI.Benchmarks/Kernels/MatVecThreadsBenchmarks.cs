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
        var random = new Random(42);
        var values = new float[Size * Size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }

        var rowBytes = (int)GgmlTypeInfo.RowBytes(GgmlType.Q4_0, Size);
        _weights = GC.AllocateUninitializedArray<byte>(rowBytes * Size, pinned: true);
        for (var r = 0; r < Size; r++)
        {
            Quantizer.QuantizeRow(GgmlType.Q4_0, values.AsSpan(r * Size, Size), _weights.AsSpan(r * rowBytes, rowBytes));
        }

        _x = new ActivationBuffer(Size, 1);
        _x.Load(GgmlType.Q4_0, values.AsSpan(0, Size), 1, Size);
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
