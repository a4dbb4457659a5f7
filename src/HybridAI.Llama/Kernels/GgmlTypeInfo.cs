namespace HybridAI.Llama;

/// <summary>
/// Sizes and roles of ggml tensor types: elements per block, bytes per block, and which activation type the CPU
/// backend's dot product pairs with each weight type (ggml's <c>vec_dot_type</c>).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class GgmlTypeInfo
{
    /// <summary>Gets whether <paramref name="type"/> is a value ggml defines (supported or not).</summary>
    public static bool IsKnown(GgmlType type) => BlockBytesOrZero(type) != 0;

    /// <summary>Gets whether the engine can multiply with weights of <paramref name="type"/>.</summary>
    public static bool IsSupportedWeightType(GgmlType type) => type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16
        or GgmlType.Q8_0 or GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K;

    /// <summary>Gets the number of elements in one block of <paramref name="type"/> (1 for plain floats).</summary>
    /// <exception cref="NotSupportedException">The type is unknown.</exception>
    public static int BlockSize(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.I8 or GgmlType.I16 or GgmlType.I32 or GgmlType.I64
            or GgmlType.F64 => 1,
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 or GgmlType.Q8_1
            or GgmlType.IQ4_NL => 32,
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K
            or GgmlType.IQ2_XXS or GgmlType.IQ2_XS or GgmlType.IQ3_XXS or GgmlType.IQ1_S or GgmlType.IQ3_S
            or GgmlType.IQ2_S or GgmlType.IQ4_XS or GgmlType.IQ1_M or GgmlType.TQ1_0 or GgmlType.TQ2_0 => 256,
        _ => throw Unknown(type),
    };

    /// <summary>Gets the number of bytes in one block of <paramref name="type"/>.</summary>
    /// <exception cref="NotSupportedException">The type is unknown.</exception>
    public static int BlockBytes(GgmlType type)
    {
        var bytes = BlockBytesOrZero(type);
        return bytes != 0 ? bytes : throw Unknown(type);
    }

    /// <summary>Gets the bytes of one row of <paramref name="cols"/> elements.</summary>
    /// <exception cref="ArgumentException"><paramref name="cols"/> is not a whole number of blocks.</exception>
    public static long RowBytes(GgmlType type, long cols)
    {
        var blockSize = BlockSize(type);
        if (cols < 0 || cols % blockSize != 0)
        {
            throw new ArgumentException($"A row of {type} must hold a whole number of {blockSize}-element blocks; got {cols}.", nameof(cols));
        }

        return cols / blockSize * BlockBytes(type);
    }

    /// <summary>
    /// Gets the type the activations are converted to before a dot product with weights of <paramref name="weightType"/>,
    /// as ggml's CPU backend does: F32, F16 and BF16 pair with themselves, Q4_0, Q5_0 and Q8_0 with Q8_0, the K-quants with Q8_K.
    /// </summary>
    /// <exception cref="NotSupportedException">The weight type is not supported.</exception>
    public static GgmlType VecDotType(GgmlType weightType) => weightType switch
    {
        GgmlType.F32 => GgmlType.F32,
        GgmlType.F16 => GgmlType.F16,
        GgmlType.BF16 => GgmlType.BF16,
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => GgmlType.Q8_0,
        GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K => GgmlType.Q8_K,
        _ => throw new NotSupportedException($"Weights of type {weightType} are not supported."),
    };

    private static int BlockBytesOrZero(GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 => 2,
        GgmlType.BF16 => 2,
        GgmlType.I8 => 1,
        GgmlType.I16 => 2,
        GgmlType.I32 => 4,
        GgmlType.I64 => 8,
        GgmlType.F64 => 8,
        GgmlType.Q4_0 => 18,
        GgmlType.Q4_1 => 20,
        GgmlType.Q5_0 => 22,
        GgmlType.Q5_1 => 24,
        GgmlType.Q8_0 => 34,
        GgmlType.Q8_1 => 36,
        GgmlType.Q2_K => 84,
        GgmlType.Q3_K => 110,
        GgmlType.Q4_K => 144,
        GgmlType.Q5_K => 176,
        GgmlType.Q6_K => 210,
        GgmlType.Q8_K => 292,
        GgmlType.IQ2_XXS => 66,
        GgmlType.IQ2_XS => 74,
        GgmlType.IQ3_XXS => 98,
        GgmlType.IQ1_S => 50,
        GgmlType.IQ4_NL => 18,
        GgmlType.IQ3_S => 110,
        GgmlType.IQ2_S => 82,
        GgmlType.IQ4_XS => 136,
        GgmlType.IQ1_M => 56,
        GgmlType.TQ1_0 => 54,
        GgmlType.TQ2_0 => 66,
        _ => 0,
    };

    private static NotSupportedException Unknown(GgmlType type) => new($"Unknown ggml type {(uint)type}.");
}
