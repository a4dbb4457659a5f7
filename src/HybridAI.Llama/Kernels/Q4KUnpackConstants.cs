using System.Runtime.Intrinsics;

namespace HybridAI.Llama;

/// <summary>
/// The constants of the four-row Q4_K scale/min unpacking (one row per 128-bit lane; see
/// <see cref="VecDot.Q4KRows4Avx512"/>), built once per call: the JIT neither folds nor hoists a Vector512 made of
/// Vector128 parts.
/// </summary>
internal readonly struct Q4KUnpackConstants
{
    /// <summary>Creates the constants.</summary>
    public Q4KUnpackConstants()
    {
        Shifts = Vector512.Create(Vector128.Create(0u, 4u, 0u, 0u));
        LowMasks = Vector512.Create(Vector128.Create(0x3f3f3f3fu, 0x0f0f0f0fu, 0x3f3f3f3fu, 0x0f0f0f0fu));
        HighMasks = Vector512.Create(Vector128.Create(0u, 0x30303030u, 0u, 0x30303030u));
    }

    /// <summary>Gets the right shifts of [u1, u2, u0, u2]: 4 for the high nibbles of u2 (mins 4..7).</summary>
    public Vector512<uint> Shifts { get; }

    /// <summary>Gets the masks of the low parts: 6 bits for mins/scales 0..3, 4 bits for 4..7.</summary>
    public Vector512<uint> LowMasks { get; }

    /// <summary>Gets the masks of the two high bits of mins/scales 4..7 (moved to bits 4-5).</summary>
    public Vector512<uint> HighMasks { get; }
}
