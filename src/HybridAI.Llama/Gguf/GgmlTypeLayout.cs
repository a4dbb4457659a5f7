namespace HybridAI.Llama;

/// <summary>
/// The storage layout (elements per block, bytes per block) of every <see cref="GgmlType"/>, as ggml defines it.
/// The reader needs it to size tensors, including types the engine cannot compute with.
/// </summary>
internal static class GgmlTypeLayout
{
    /// <summary>Gets the layout of a type; false when the value is not a known ggml type.</summary>
    public static bool TryGet(GgmlType type, out int blockSize, out int blockBytes)
    {
        (blockSize, blockBytes) = type switch
        {
            GgmlType.F32 => (1, 4),
            GgmlType.F16 => (1, 2),
            GgmlType.Q4_0 => (32, 18),
            GgmlType.Q4_1 => (32, 20),
            GgmlType.Q5_0 => (32, 22),
            GgmlType.Q5_1 => (32, 24),
            GgmlType.Q8_0 => (32, 34),
            GgmlType.Q8_1 => (32, 36),
            GgmlType.Q2_K => (256, 84),
            GgmlType.Q3_K => (256, 110),
            GgmlType.Q4_K => (256, 144),
            GgmlType.Q5_K => (256, 176),
            GgmlType.Q6_K => (256, 210),
            GgmlType.Q8_K => (256, 292),
            GgmlType.IQ2_XXS => (256, 66),
            GgmlType.IQ2_XS => (256, 74),
            GgmlType.IQ3_XXS => (256, 98),
            GgmlType.IQ1_S => (256, 50),
            GgmlType.IQ4_NL => (32, 18),
            GgmlType.IQ3_S => (256, 110),
            GgmlType.IQ2_S => (256, 82),
            GgmlType.IQ4_XS => (256, 136),
            GgmlType.I8 => (1, 1),
            GgmlType.I16 => (1, 2),
            GgmlType.I32 => (1, 4),
            GgmlType.I64 => (1, 8),
            GgmlType.F64 => (1, 8),
            GgmlType.IQ1_M => (256, 56),
            GgmlType.BF16 => (1, 2),
            GgmlType.TQ1_0 => (256, 54),
            GgmlType.TQ2_0 => (256, 66),
            _ => (0, 0),
        };
        return blockSize != 0;
    }

    /// <summary>Gets the elements per block of a known type.</summary>
    public static int BlockSize(GgmlType type) =>
        TryGet(type, out var blockSize, out _) ? blockSize : throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ggml type.");

    /// <summary>Gets the bytes of a row of <paramref name="columns"/> elements; the count must be a multiple of the block size.</summary>
    public static long RowBytes(GgmlType type, long columns)
    {
        if (!TryGet(type, out var blockSize, out var blockBytes))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ggml type.");
        }

        if (columns % blockSize != 0)
        {
            throw new ArgumentException($"{columns} elements is not a multiple of the {type} block size {blockSize}.", nameof(columns));
        }

        return checked(columns / blockSize * blockBytes);
    }
}
