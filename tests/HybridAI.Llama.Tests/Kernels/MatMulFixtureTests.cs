using HybridAI.Testing;

namespace HybridAI.Llama.Tests;

/// <summary>Products with real tensors written by llama.cpp, against the dequantized weights in double precision.</summary>
public sealed unsafe class MatMulFixtureTests
{
    public static TheoryData<string, string> Tensors => new()
    {
        { "random-small-q4_0", "blk.0.attn_q.weight" },
        { "random-small-q8_0", "blk.1.ffn_down.weight" },
        { "random-small-q4_k_m", "blk.0.ffn_gate.weight" },
        { "random-small-q4_k_m", "token_embd.weight" },
        { "random-small-q5_k_m", "blk.0.attn_output.weight" },
        { "random-small-q4_k_s", "blk.0.ffn_down.weight" },
        { "random-small-q4_k_s", "blk.1.attn_v.weight" },
        { "random-small-q6_k", "blk.1.ffn_up.weight" },
        { "random-small-f16", "blk.0.attn_k.weight" },
        { "random-small-bf16", "blk.0.attn_v.weight" },
        { "random-small-f32", "blk.0.ffn_down.weight" },
    };

    [Theory]
    [MemberData(nameof(Tensors))]
    public void Multiply_FixtureTensor_MatchesDequantizedProduct(string model, string name)
    {
        using var file = GgufFile.Open(Fixtures.PathOf($"models/{model}.gguf"));
        var tensor = file.GetTensor(name);
        var rows = (int)tensor.RowCount;
        var cols = (int)tensor.RowLength;
        const int Batch = 3;
        var x = KernelTestData.RandomFloats(Batch * cols, seed: cols);
        var buffer = new ActivationBuffer(cols, Batch);
        buffer.Load(tensor.Type, x, Batch, cols);
        var y = new float[Batch * rows];
        using var pool = new ComputePool(2);
        var bytes = file.GetTensorBytes(tensor);
        fixed (byte* data = bytes)
        fixed (float* yp = y)
        {
            MatMul.Multiply(new WeightMatrix(data, tensor.Type, rows, cols), buffer, yp, pool);
        }

        var rowBytes = (int)GgmlTypeInfo.RowBytes(tensor.Type, cols);
        var w = new float[cols];
        var xs = new float[cols];
        for (var b = 0; b < Batch; b++)
        {
            ActivationRow(buffer, b, xs);
            for (var r = 0; r < rows; r++)
            {
                Dequantizer.DequantizeRow(tensor.Type, bytes.Slice(r * rowBytes, rowBytes), w);
                double exact = 0, magnitude = 0;
                for (var c = 0; c < cols; c++)
                {
                    exact += (double)w[c] * xs[c];
                    magnitude += Math.Abs((double)w[c] * xs[c]);
                }

                var got = y[(b * rows) + r];
                Assert.True(Math.Abs(got - exact) <= 1e-6 * magnitude, $"{model} {name} [{b},{r}]: {got} vs {exact}");
            }
        }
    }

    private static void ActivationRow(ActivationBuffer x, int row, float[] values)
    {
        var storedType = x.Type is GgmlType.F16 or GgmlType.BF16 ? GgmlType.F32 : x.Type;
        var bytes = new ReadOnlySpan<byte>(x.Row(row), (int)GgmlTypeInfo.RowBytes(storedType, x.Cols));
        Dequantizer.DequantizeRow(storedType, bytes, values);
    }
}
