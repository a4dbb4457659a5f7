using BenchmarkDotNet.Attributes;
using HybridAI.Llama;

namespace HybridAI.Benchmarks;

/// <summary>
/// One 512×2048 weight matrix times a batch of 16 activation rows (prompt processing's shape) on the calling thread:
/// scalar twins (baseline) vs the SIMD path, which runs the batch kernels: with AVX-512, Q4_0 (llama.cpp's repacked
/// order) 16 weight rows × 8 activation rows, Q8_0/Q5_0/Q4_K/Q6_K 4×8; with AVX2 only (<c>DOTNET_EnableAVX512=0</c>),
/// Q4_0 8×4 and the others 4×4.
/// </summary>
[MemoryDiagnoser]
public unsafe class MatMulBatchBenchmarks
{
    private const int Rows = 512;
    private const int Cols = 2048;
    private const int Batch = 16;
    private byte[] _weights = [];
    private ActivationBuffer _x = null!;
    private float[] _y = [];

    [Params(GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K)]
    public GgmlType Type { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_weights, _x) = KernelBenchmarkData.Create(Type, Rows, Cols, Batch);
        _y = GC.AllocateUninitializedArray<float>(Rows * Batch, pinned: true);
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
            MatMul.Multiply(new WeightMatrix(w, Type, Rows, Cols), _x, y, null, scalar);
        }
    }
}
