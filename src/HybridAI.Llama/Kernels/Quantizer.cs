using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace HybridAI.Llama;

/// <summary>
/// ggml's reference quantizers (<c>quantize_row_*_ref</c> in ggml-quants.c), which llama-quantize uses when no importance
/// matrix is given: the same float operations in the same order, so the bytes match llama.cpp's files.
/// </summary>
/// <remarks>Stateless and thread-safe. Not a hot path (tests and model writing), but allocation-free.</remarks>
internal static partial class Quantizer
{
    /// <summary>Quantizes one row of <paramref name="src"/>.Length elements to <paramref name="type"/>.</summary>
    /// <exception cref="NotSupportedException">There is no quantizer for the type.</exception>
    /// <exception cref="ArgumentException">The row is not a whole number of blocks or <paramref name="dst"/> is too short.</exception>
    public static void QuantizeRow(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        var bytes = GgmlTypeInfo.RowBytes(type, src.Length);
        if (dst.Length < bytes)
        {
            throw new ArgumentException($"A row of {src.Length} {type} elements needs {bytes} bytes; got {dst.Length}.", nameof(dst));
        }

        switch (type)
        {
            case GgmlType.F32:
                for (var i = 0; i < src.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(dst[(4 * i)..], src[i]);
                }

                break;
            case GgmlType.F16:
                for (var i = 0; i < src.Length; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(dst[(2 * i)..], Float16.FromSingle(src[i]));
                }

                break;
            case GgmlType.BF16:
                for (var i = 0; i < src.Length; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(dst[(2 * i)..], BFloat16.FromSingle(src[i]));
                }

                break;
            case GgmlType.Q8_0:
                for (var b = 0; b < src.Length / 32; b++)
                {
                    QuantizeQ8_0(src.Slice(b * 32, 32), dst.Slice(b * 34, 34));
                }

                break;
            case GgmlType.Q4_0:
                for (var b = 0; b < src.Length / 32; b++)
                {
                    QuantizeQ4_0(src.Slice(b * 32, 32), dst.Slice(b * 18, 18));
                }

                break;
            case GgmlType.Q5_0:
                for (var b = 0; b < src.Length / 32; b++)
                {
                    QuantizeQ5_0(src.Slice(b * 32, 32), dst.Slice(b * 22, 22));
                }

                break;
            case GgmlType.Q8_K:
                for (var b = 0; b < src.Length / 256; b++)
                {
                    QuantizeQ8K(src.Slice(b * 256, 256), dst.Slice(b * 292, 292));
                }

                break;
            case GgmlType.Q4_K:
                for (var b = 0; b < src.Length / 256; b++)
                {
                    QuantizeQ4K(src.Slice(b * 256, 256), dst.Slice(b * 144, 144));
                }

                break;
            case GgmlType.Q5_K:
                for (var b = 0; b < src.Length / 256; b++)
                {
                    QuantizeQ5K(src.Slice(b * 256, 256), dst.Slice(b * 176, 176));
                }

                break;
            case GgmlType.Q6_K:
                for (var b = 0; b < src.Length / 256; b++)
                {
                    QuantizeQ6K(src.Slice(b * 256, 256), dst.Slice(b * 210, 210));
                }

                break;
            default:
                throw new NotSupportedException($"Quantizing to {type} is not supported.");
        }
    }

    /// <summary>ggml's <c>nearest_int</c>: round half to even through the 1.5·2^23 magic number (valid for |x| ≤ 4194303).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int NearestInt(float value)
    {
        var shifted = value + 12582912f;
        return (BitConverter.SingleToInt32Bits(shifted) & 0x007fffff) - 0x00400000;
    }

    // quantize_row_q8_0_ref: d = amax/127, id = 1/d, q = roundf(x*id) (half away from zero).
    private static void QuantizeQ8_0(ReadOnlySpan<float> x, Span<byte> y)
    {
        var amax = 0f;
        for (var j = 0; j < 32; j++)
        {
            amax = MathF.Max(amax, MathF.Abs(x[j]));
        }

        var d = amax / 127f;
        var id = d != 0 ? 1f / d : 0f;
        BinaryPrimitives.WriteUInt16LittleEndian(y, Float16.FromSingle(d));
        for (var j = 0; j < 32; j++)
        {
            y[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
        }
    }

    /// <summary>The first of the block's 32 elements with the largest magnitude, sign kept (ggml's <c>max</c>).</summary>
    private static float LargestMagnitude(ReadOnlySpan<float> x)
    {
        float amax = 0f, max = 0f;
        for (var j = 0; j < 32; j++)
        {
            if (amax < MathF.Abs(x[j]))
            {
                amax = MathF.Abs(x[j]);
                max = x[j];
            }
        }

        return max;
    }

    // quantize_row_q4_0_ref: d = max/-8 (max = the signed element of largest magnitude), q = min(15, (int8)(x*id + 8.5)).
    private static void QuantizeQ4_0(ReadOnlySpan<float> x, Span<byte> y)
    {
        var d = LargestMagnitude(x) / -8f;
        var id = d != 0 ? 1f / d : 0f;
        BinaryPrimitives.WriteUInt16LittleEndian(y, Float16.FromSingle(d));
        for (var j = 0; j < 16; j++)
        {
            var x0 = x[j] * id;
            var x1 = x[j + 16] * id;
            var xi0 = Math.Min(15, (int)(sbyte)(int)(x0 + 8.5f));
            var xi1 = Math.Min(15, (int)(sbyte)(int)(x1 + 8.5f));
            y[2 + j] = (byte)(xi0 | (xi1 << 4));
        }
    }

    // quantize_row_q5_0_ref: d = max/-16 (max = the signed element of largest magnitude), q = min(31, (int8)(x*id + 16.5));
    // the low four bits go to qs (element j low nibble, j + 16 high nibble), the fifth to bit j of qh.
    private static void QuantizeQ5_0(ReadOnlySpan<float> x, Span<byte> y)
    {
        var d = LargestMagnitude(x) / -16f;
        var id = d != 0 ? 1f / d : 0f;
        BinaryPrimitives.WriteUInt16LittleEndian(y, Float16.FromSingle(d));
        var qh = 0u;
        for (var j = 0; j < 16; j++)
        {
            var x0 = x[j] * id;
            var x1 = x[j + 16] * id;
            var xi0 = Math.Min(31, (int)(sbyte)(int)(x0 + 16.5f));
            var xi1 = Math.Min(31, (int)(sbyte)(int)(x1 + 16.5f));
            y[6 + j] = (byte)((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= (uint)((xi0 & 0x10) >> 4) << j;
            qh |= (uint)((xi1 & 0x10) >> 4) << (j + 16);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(y[2..], qh);
    }

    // quantize_row_q8_K_ref: iscale = -127/max (max = signed element of largest magnitude), q = min(127, nearest_int(iscale*x)),
    // d = 1/iscale as F32, bsums = sums of 16 consecutive q.
    private static void QuantizeQ8K(ReadOnlySpan<float> x, Span<byte> y)
    {
        float max = 0f, amax = 0f;
        for (var j = 0; j < 256; j++)
        {
            var ax = MathF.Abs(x[j]);
            if (ax > amax)
            {
                amax = ax;
                max = x[j];
            }
        }

        if (amax == 0f)
        {
            y[..292].Clear();
            return;
        }

        var iscale = -127f / max;
        for (var j = 0; j < 256; j++)
        {
            y[4 + j] = (byte)(sbyte)Math.Min(127, NearestInt(iscale * x[j]));
        }

        for (var j = 0; j < 16; j++)
        {
            var sum = 0;
            for (var i = 0; i < 16; i++)
            {
                sum += (sbyte)y[4 + (16 * j) + i];
            }

            BinaryPrimitives.WriteInt16LittleEndian(y[(260 + (2 * j))..], (short)sum);
        }

        BinaryPrimitives.WriteSingleLittleEndian(y, 1f / iscale);
    }
}
