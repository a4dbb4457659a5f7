namespace HybridAI.Llama.Tests;

/// <summary>Random weight rows and activations for kernel tests (seeded, so failures reproduce).</summary>
internal static class KernelTestData
{
    public static readonly GgmlType[] WeightTypes =
        [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K];

    public static float[] RandomFloats(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            // Mostly uniform, with some outliers and exact zeros as real activations have.
            var u = (float)((random.NextDouble() * 2) - 1);
            values[i] = (i % 97) switch
            {
                0 => u * 8 * scale,
                1 => 0f,
                _ => u * scale,
            };
        }

        return values;
    }

    public static byte[] QuantizeRows(GgmlType type, float[] values, int rows, int cols)
    {
        var rowBytes = (int)GgmlTypeInfo.RowBytes(type, cols);
        var bytes = new byte[(rows * rowBytes) + 64];
        for (var r = 0; r < rows; r++)
        {
            Quantizer.QuantizeRow(type, values.AsSpan(r * cols, cols), bytes.AsSpan(r * rowBytes, rowBytes));
        }

        return bytes;
    }

    /// <summary>Row lengths for a type: whole blocks 1..16 for quantized types, every length 1..80 plus a few long ones for floats.</summary>
    public static IEnumerable<int> Lengths(GgmlType type)
    {
        var block = GgmlTypeInfo.BlockSize(type);
        if (block > 1)
        {
            return Enumerable.Range(1, 16).Select(k => k * block);
        }

        return Enumerable.Range(1, 80).Concat([95, 96, 97, 127, 128, 255, 256, 257, 1000, 2048]);
    }

    /// <summary>
    /// Rows of raw random block bytes: every quant, sub-scale and min takes any value its bits allow (extremes included);
    /// only the F16 block scales are set to finite values of realistic size, so products stay finite.
    /// </summary>
    public static byte[] RawBlocks(GgmlType type, int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var rowBytes = (int)GgmlTypeInfo.RowBytes(type, cols);
        var bytes = new byte[(rows * rowBytes) + 64];
        random.NextBytes(bytes);
        var blockBytes = (int)GgmlTypeInfo.RowBytes(type, GgmlTypeInfo.BlockSize(type));
        // Offsets of the F16 scales in a block: Q8_0/Q4_0/Q5_0 d at 0; Q4_K/Q5_K d and dmin at 0 and 2; Q6_K d at 208.
        int[] halfOffsets = type switch
        {
            GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
            GgmlType.Q6_K => [208],
            _ => [0],
        };
        for (var r = 0; r < rows; r++)
        {
            for (var b = 0; b < cols / GgmlTypeInfo.BlockSize(type); b++)
            {
                foreach (var offset in halfOffsets)
                {
                    var value = (Half)((random.NextDouble() + 0.01) * (random.Next(2) == 0 ? -1 : 1) * 0.01);
                    BitConverter.TryWriteBytes(bytes.AsSpan((r * rowBytes) + (b * blockBytes) + offset, 2), value);
                }
            }
        }

        return bytes;
    }
}
