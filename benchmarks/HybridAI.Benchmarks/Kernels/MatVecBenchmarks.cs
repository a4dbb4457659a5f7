using BenchmarkDotNet.Attributes;
using HybridAI.Llama;

namespace HybridAI.Benchmarks;

/// <summary>One 2048×2048 matrix-vector product per weight type on the calling thread: scalar twin (baseline) vs SIMD.</summary>
[MemoryDiagnoser]
public unsafe class MatVecBenchmarks
{
    private const int Size = 2048;
    private byte[] _weights = [];
    private ActivationBuffer _x = null!;
    private float[] _y = [];

    [Params(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K)]
    public GgmlType Type { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_weights, _x) = KernelBenchmarkData.Create(Type, Size, Size, 1);
        _y = GC.AllocateUninitializedArray<float>(Size, pinned: true);
    }

    [Benchmark(Baseline = true)]
    public void Scalar() => Run(scalar: true);

    [Benchmark]
    public void Simd() => Run(scalar: false);

    private void Run(bool scalar)
    {
        fixed (byte* w = _weights)
        fixed (float* y = _y)
        {
            MatMul.Multiply(new WeightMatrix(w, Type, Size, Size), _x, y, null, scalar);
        }
    }
}
