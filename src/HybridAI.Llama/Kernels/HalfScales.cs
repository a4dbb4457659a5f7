using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <summary>
/// How a Q4_0 kernel widens the F16 scales of a group of blocks to float, a type argument so that each kernel is compiled
/// with one way: <see cref="AnyScales"/> for every matrix, <see cref="NormalScales"/> (4 vector operations instead of 14) for the
/// matrices whose scales are all normal numbers or zeros (<see cref="WeightMatrix.ScalesNormalOrZero"/>). Both are exact.
/// </summary>
internal interface IHalfScales
{
    /// <summary>Widens sixteen F16 values exactly.</summary>
    static abstract Vector512<float> Widen(Vector256<ushort> halves);

    /// <summary>Widens eight F16 values exactly.</summary>
    static abstract Vector256<float> Widen(Vector128<ushort> halves);
}

/// <summary>Any F16 value, subnormals, infinities and NaNs included: <see cref="VecDot.WidenHalves(Vector512{int})"/>.</summary>
internal readonly struct AnyScales : IHalfScales
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Widen(Vector256<ushort> halves) => VecDot.WidenHalves(Avx512F.ConvertToVector512Int32(halves));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Widen(Vector128<ushort> halves) => VecDot.WidenHalves(Avx2.ConvertToVector256Int32(halves));
}

/// <summary>
/// Normal F16 values and zeros only, in three vector operations after the sign extension: shifted left by 13 and masked,
/// a half's sign, exponent and mantissa sit where a float's do (the sign extension fills bits 28–30, which the mask
/// clears), so a normal half becomes the normal float 2^-112 times its value and a zero stays a zero; one multiplication by
/// 2^112 is then exact. A subnormal half would make a subnormal float (correct, but a microcode assist on x64) and an
/// infinity or a NaN would come out finite, hence the matrix-wide test before a kernel uses this.
/// </summary>
internal readonly struct NormalScales : IHalfScales
{
    private const int SignExponentMantissa = unchecked((int)0x8FFF_E000);

    /// <summary>2^112: a half's exponent bias is 15, a float's 127.</summary>
    private const float Rebias = 5192296858534827628530496329220096f;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Widen(Vector256<ushort> halves)
    {
        var h = Avx512F.ConvertToVector512Int32(halves.AsInt16());
        return (Vector512.ShiftLeft(h, 13) & Vector512.Create(SignExponentMantissa)).AsSingle() * Vector512.Create(Rebias);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Widen(Vector128<ushort> halves)
    {
        var h = Avx2.ConvertToVector256Int32(halves.AsInt16());
        return (Vector256.ShiftLeft(h, 13) & Vector256.Create(SignExponentMantissa)).AsSingle() * Vector256.Create(Rebias);
    }

    /// <summary>
    /// Whether every block of a matrix has a normal or zero F16 scale in its first two bytes: <paramref name="blocks"/> blocks
    /// of <paramref name="blockBytes"/> bytes from <paramref name="data"/>.
    /// </summary>
    public static unsafe bool AllNormalOrZero(byte* data, long blocks, int blockBytes)
    {
        for (long b = 0; b < blocks; b++)
        {
            // Exponent 31 (infinity, NaN), or exponent 0 with a nonzero mantissa (subnormal).
            var h = *(ushort*)(data + (b * blockBytes)) & 0x7FFF;
            if (h >= 0x7C00 || h is > 0 and < 0x0400)
            {
                return false;
            }
        }

        return true;
    }
}
