using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HybridAI.Llama;

/// <summary>
/// Converts activations to the vec-dot type the way llama.cpp's CPU backend does when built with AVX2: Q8_0 with the AVX2
/// quantize_row_q8_0 (id = 127/amax, round half to even; not the scalar reference's roundf and 1/d), Q8_K with the
/// reference quantize_row_q8_K, F16 and BF16 rounded to nearest even.
/// </summary>
/// <remarks>Stateless and thread-safe; allocation-free.</remarks>
internal static unsafe class ActivationQuantizer
{
    /// <summary>Converts <paramref name="count"/> floats at <paramref name="x"/> to <paramref name="type"/> at <paramref name="dst"/>.</summary>
    public static void Quantize(GgmlType type, float* x, byte* dst, int count, bool scalar = false)
    {
        switch (type)
        {
            case GgmlType.F32:
                Buffer.MemoryCopy(x, dst, (long)count * 4, (long)count * 4);
                break;
            case GgmlType.F16:
                for (var i = 0; i < count; i++)
                {
                    ((ushort*)dst)[i] = Float16.FromSingle(x[i]);
                }

                break;
            case GgmlType.BF16:
                for (var i = 0; i < count; i++)
                {
                    ((ushort*)dst)[i] = BFloat16.FromSingle(x[i]);
                }

                break;
            case GgmlType.Q8_0:
                for (var b = 0; b < count / 32; b++)
                {
                    if (!scalar && Vector256.IsHardwareAccelerated)
                    {
                        QuantizeQ8_0BlockSimd(x + (32 * b), dst + (34 * b));
                    }
                    else
                    {
                        QuantizeQ8_0BlockScalar(x + (32 * b), dst + (34 * b));
                    }
                }

                break;
            case GgmlType.Q8_K:
                Quantizer.QuantizeRow(GgmlType.Q8_K, new ReadOnlySpan<float>(x, count), new Span<byte>(dst, count / 256 * 292));
                break;
            default:
                throw new NotSupportedException($"Activations cannot be converted to {type}.");
        }
    }

    /// <summary>One Q8_0 block as the AVX2 quantize_row_q8_0: d = amax/127 (F16), q = round-half-even(x · 127/amax).</summary>
    internal static void QuantizeQ8_0BlockScalar(float* x, byte* y)
    {
        var amax = 0f;
        for (var j = 0; j < 32; j++)
        {
            amax = MathF.Max(amax, MathF.Abs(x[j]));
        }

        *(ushort*)y = Float16.FromSingle(amax / 127f);
        var id = amax != 0f ? 127f / amax : 0f;
        var qs = (sbyte*)(y + 2);
        for (var j = 0; j < 32; j++)
        {
            qs[j] = (sbyte)MathF.Round(x[j] * id, MidpointRounding.ToEven);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuantizeQ8_0BlockSimd(float* x, byte* y)
    {
        var v0 = Vector256.Load(x);
        var v1 = Vector256.Load(x + 8);
        var v2 = Vector256.Load(x + 16);
        var v3 = Vector256.Load(x + 24);
        var m = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
        var m4 = Vector128.Max(m.GetLower(), m.GetUpper());
        var amax = MathF.Max(MathF.Max(m4.GetElement(0), m4.GetElement(1)), MathF.Max(m4.GetElement(2), m4.GetElement(3)));

        *(ushort*)y = Float16.FromSingle(amax / 127f);
        var id = Vector256.Create(amax != 0f ? 127f / amax : 0f);
        var i0 = Vector256.ConvertToInt32(Vector256.Round(v0 * id));
        var i1 = Vector256.ConvertToInt32(Vector256.Round(v1 * id));
        var i2 = Vector256.ConvertToInt32(Vector256.Round(v2 * id));
        var i3 = Vector256.ConvertToInt32(Vector256.Round(v3 * id));
        var s01 = Vector256.Narrow(i0, i1);
        var s23 = Vector256.Narrow(i2, i3);
        Vector256.Narrow(s01, s23).Store((sbyte*)(y + 2));
    }
}
