using System.Runtime.InteropServices;
using HybridAI.Testing;

namespace HybridAI.Llama.Tests;

/// <summary>
/// The random-small fixtures hold the same F32 weights quantized by llama-quantize: re-quantizing the F32 tensors with our
/// reference quantizers must give llama.cpp's bytes, and dequantizing must land within the type's quantization step.
/// </summary>
public sealed class QuantizerFixtureTests
{
    public static TheoryData<string> QuantizedModels => new(
        "random-small-f16", "random-small-bf16", "random-small-q8_0", "random-small-q4_0",
        "random-small-q4_k_s", "random-small-q4_k_m", "random-small-q5_k_m", "random-small-q6_k");

    [Theory]
    [MemberData(nameof(QuantizedModels))]
    public void QuantizeRow_F32FixtureTensors_ReproduceLlamaQuantizeBytes(string model)
    {
        using var reference = GgufFile.Open(Fixtures.PathOf("models/random-small-f32.gguf"));
        using var quantized = GgufFile.Open(Fixtures.PathOf($"models/{model}.gguf"));
        var checkedTensors = 0;
        foreach (var tensor in quantized.Tensors)
        {
            if (tensor.Type == GgmlType.F32)
            {
                continue;
            }

            var source = reference.GetTensor(tensor.Name);
            var cols = (int)tensor.RowLength;
            var rowBytes = (int)GgmlTypeInfo.RowBytes(tensor.Type, cols);
            var floats = MemoryMarshal.Cast<byte, float>(reference.GetTensorBytes(source));
            var expected = quantized.GetTensorBytes(tensor);
            var actual = new byte[rowBytes];
            for (var r = 0; r < tensor.RowCount; r++)
            {
                Quantizer.QuantizeRow(tensor.Type, floats.Slice(r * cols, cols), actual);
                var want = expected.Slice(r * rowBytes, rowBytes);
                if (!want.SequenceEqual(actual))
                {
                    var at = want.CommonPrefixLength(actual);
                    Assert.Fail($"{model} {tensor.Name} ({tensor.Type}) row {r}: first difference at byte {at} of {rowBytes} " +
                        $"(llama.cpp {want[at]:x2}, ours {actual[at]:x2}).");
                }
            }

            checkedTensors++;
        }

        Assert.True(checkedTensors > 0);
    }

    [Theory]
    [MemberData(nameof(QuantizedModels))]
    public void DequantizeRow_FixtureTensors_CloseToF32Weights(string model)
    {
        using var reference = GgufFile.Open(Fixtures.PathOf("models/random-small-f32.gguf"));
        using var quantized = GgufFile.Open(Fixtures.PathOf($"models/{model}.gguf"));
        foreach (var tensor in quantized.Tensors)
        {
            if (tensor.Type == GgmlType.F32)
            {
                continue;
            }

            var cols = (int)tensor.RowLength;
            var rowBytes = (int)GgmlTypeInfo.RowBytes(tensor.Type, cols);
            var floats = MemoryMarshal.Cast<byte, float>(reference.GetTensorBytes(reference.GetTensor(tensor.Name)));
            var bytes = quantized.GetTensorBytes(tensor);
            var row = new float[cols];
            // Weights are uniform in [-0.5, 0.5): the worst error of a level grid over that range, with slack for the
            // K-quants' 6-bit scales/mins (Q6_K: 64 levels; Q5: 32; Q4: 16; Q8_0: 256; F16/BF16: relative).
            var tolerance = tensor.Type switch
            {
                GgmlType.F16 => 0.5f / 2048,
                GgmlType.BF16 => 0.5f / 256,
                GgmlType.Q8_0 => 1f / 254,
                GgmlType.Q6_K => 1.5f / 64,
                GgmlType.Q5_K => 1.5f / 32,
                GgmlType.Q4_0 or GgmlType.Q4_K => 1.5f / 16,
                _ => throw new InvalidOperationException($"unexpected {tensor.Type}"),
            };
            for (var r = 0; r < tensor.RowCount; r++)
            {
                Dequantizer.DequantizeRow(tensor.Type, bytes.Slice(r * rowBytes, rowBytes), row);
                for (var c = 0; c < cols; c++)
                {
                    var want = floats[(r * cols) + c];
                    if (MathF.Abs(row[c] - want) > tolerance)
                    {
                        Assert.Fail($"{model} {tensor.Name} ({tensor.Type}) [{r},{c}]: {row[c]} vs {want}.");
                    }
                }
            }
        }
    }
}
