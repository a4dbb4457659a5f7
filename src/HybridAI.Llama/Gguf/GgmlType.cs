namespace HybridAI.Llama;

/// <summary>
/// The element type of a tensor in a GGUF file, with ggml's numeric values (they are what the file stores).
/// Only some are supported by the engine; see <c>GgmlTypeInfo</c>.
/// </summary>
#pragma warning disable CA1707 // ggml's own names (Q4_K) are the domain's words.
public enum GgmlType : uint
{
    /// <summary>32-bit IEEE float.</summary>
    F32 = 0,
    /// <summary>16-bit IEEE half float.</summary>
    F16 = 1,
    /// <summary>4-bit blocks of 32 with one F16 scale.</summary>
    Q4_0 = 2,
    /// <summary>4-bit blocks of 32 with an F16 scale and minimum.</summary>
    Q4_1 = 3,
    /// <summary>5-bit blocks of 32 with one F16 scale.</summary>
    Q5_0 = 6,
    /// <summary>5-bit blocks of 32 with an F16 scale and minimum.</summary>
    Q5_1 = 7,
    /// <summary>8-bit blocks of 32 with one F16 scale.</summary>
    Q8_0 = 8,
    /// <summary>8-bit blocks of 32 with scale and sum (activations only).</summary>
    Q8_1 = 9,
    /// <summary>2-bit k-quant super-blocks of 256.</summary>
    Q2_K = 10,
    /// <summary>3-bit k-quant super-blocks of 256.</summary>
    Q3_K = 11,
    /// <summary>4-bit k-quant super-blocks of 256.</summary>
    Q4_K = 12,
    /// <summary>5-bit k-quant super-blocks of 256.</summary>
    Q5_K = 13,
    /// <summary>6-bit k-quant super-blocks of 256.</summary>
    Q6_K = 14,
    /// <summary>8-bit k-quant super-blocks of 256 (activations only).</summary>
    Q8_K = 15,
    /// <summary>i-quant.</summary>
    IQ2_XXS = 16,
    /// <summary>i-quant.</summary>
    IQ2_XS = 17,
    /// <summary>i-quant.</summary>
    IQ3_XXS = 18,
    /// <summary>i-quant.</summary>
    IQ1_S = 19,
    /// <summary>i-quant.</summary>
    IQ4_NL = 20,
    /// <summary>i-quant.</summary>
    IQ3_S = 21,
    /// <summary>i-quant.</summary>
    IQ2_S = 22,
    /// <summary>i-quant.</summary>
    IQ4_XS = 23,
    /// <summary>8-bit integer.</summary>
    I8 = 24,
    /// <summary>16-bit integer.</summary>
    I16 = 25,
    /// <summary>32-bit integer.</summary>
    I32 = 26,
    /// <summary>64-bit integer.</summary>
    I64 = 27,
    /// <summary>64-bit IEEE float.</summary>
    F64 = 28,
    /// <summary>i-quant.</summary>
    IQ1_M = 29,
    /// <summary>bfloat16.</summary>
    BF16 = 30,
    /// <summary>Ternary quant.</summary>
    TQ1_0 = 34,
    /// <summary>Ternary quant.</summary>
    TQ2_0 = 35,
}
#pragma warning restore CA1707
