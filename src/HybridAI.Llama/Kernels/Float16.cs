using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HybridAI.Llama;

/// <summary>IEEE half-precision bits ↔ float, as ggml converts them (exact widening; round-to-nearest-even narrowing like F16C).</summary>
/// <remarks>Thread-safe; the widening table is built once.</remarks>
internal static class Float16
{
    private static readonly float[] s_table = BuildTable();

    /// <summary>Widens half-precision bits to a float (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits) => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_table), bits);

    /// <summary>Narrows a float to half-precision bits, rounding to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingle(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    private static float[] BuildTable()
    {
        var table = new float[65536];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (float)BitConverter.UInt16BitsToHalf((ushort)i);
        }

        return table;
    }
}
