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

    [Params(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K)]
    public GgmlType Type { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var values = new float[Size * Size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }

        var rowBytes = (int)GgmlTypeInfo.RowBytes(Type, Size);
        _weights = GC.AllocateUninitializedArray<byte>(rowBytes * Size, pinned: true);
        for (var r = 0; r < Size; r++)
        {
            Quantizer.QuantizeRow(Type, values.AsSpan(r * Size, Size), _weights.AsSpan(r * rowBytes, rowBytes));
        }

        _x = new ActivationBuffer(Size, 1);
        _x.Load(Type, values.AsSpan(0, Size), 1, Size);
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
