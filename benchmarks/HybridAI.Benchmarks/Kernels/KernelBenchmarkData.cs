using HybridAI.Llama;

namespace HybridAI.Benchmarks;

/// <summary>Random weights quantized to a type and activations loaded for them: the shared setup of the kernel benchmarks.</summary>
internal static class KernelBenchmarkData
{
    /// <summary>
    /// A <paramref name="rows"/>×<paramref name="cols"/> matrix of uniform values in [-0.5, 0.5) quantized to
    /// <paramref name="type"/> (pinned), and the first <paramref name="batch"/> rows of the same values loaded as activations.
    /// </summary>
    public static (byte[] Weights, ActivationBuffer Activations) Create(GgmlType type, int rows, int cols, int batch)
    {
        var values = Values(Math.Max(rows, batch) * cols);

        var rowBytes = (int)GgmlTypeInfo.RowBytes(type, cols);
        var weights = GC.AllocateUninitializedArray<byte>(rowBytes * rows, pinned: true);
        for (var r = 0; r < rows; r++)
        {
            Quantizer.QuantizeRow(type, values.AsSpan(r * cols, cols), weights.AsSpan(r * rowBytes, rowBytes));
        }

        var activations = new ActivationBuffer(cols, batch);
        activations.Load(type, values.AsSpan(0, batch * cols), batch, cols);
        return (weights, activations);
    }

    /// <summary><paramref name="count"/> uniform values in [-0.5, 0.5), the same on every call.</summary>
    public static float[] Values(int count)
    {
        var random = new Random(42);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }

        return values;
    }
}
