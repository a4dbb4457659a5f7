using System.Runtime.CompilerServices;

namespace HybridAI.Llama;

/// <summary>bfloat16 bits ↔ float, exactly as ggml's <c>GGML_FP32_TO_BF16</c> / <c>GGML_BF16_TO_FP32</c>.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class BFloat16
{
    /// <summary>Widens bfloat16 bits to a float (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Narrows a float to bfloat16 bits: round to nearest even; a NaN keeps its top bits and is forced quiet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingle(float value)
    {
        var u = BitConverter.SingleToUInt32Bits(value);
        if ((u & 0x7fffffffu) > 0x7f800000u)
        {
            return (ushort)((u >> 16) | 64);
        }

        return (ushort)((u + (0x7fffu + ((u >> 16) & 1))) >> 16);
    }
}
