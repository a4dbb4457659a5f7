using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <summary>
/// Converts activations to the vec-dot type the way llama.cpp's CPU backend does when built with AVX2: Q8_0 with the AVX2
/// quantize_row_q8_0 (id = 127/amax, round half to even; not the scalar reference's roundf and 1/d), Q8_K with the
/// reference quantize_row_q8_K (vectorised here with the same float operations), F16 and BF16 rounded to nearest even.
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
                if (!scalar && Avx2.IsSupported)
                {
                    for (var b = 0; b < count / 256; b++)
                    {
                        QuantizeQ8KBlockSimd(x + (256 * b), dst + (292 * b));
                    }
                }
                else
                {
                    Quantizer.QuantizeRow(GgmlType.Q8_K, new ReadOnlySpan<float>(x, count), new Span<byte>(dst, count / 256 * 292));
                }

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

    /// <summary>
    /// One Q8_K block as quantize_row_q8_K_ref, bit-identical to its scalar twin in <see cref="Quantizer"/>: max = the first
    /// element of largest magnitude (NaNs ignored, as the reference's <c>ax &gt; amax</c> does), iscale = −127/max,
    /// q = min(127, nearest_int(iscale·x)) with nearest_int's own trick (add 1.5·2²³, take the mantissa bits: round half to
    /// even), bsums = sums of 16 consecutive q, d = 1/iscale; an all-zero block becomes 292 zero bytes.
    /// </summary>
    internal static void QuantizeQ8KBlockSimd(float* x, byte* y)
    {
        // vmaxps returns its second operand when either is NaN: a NaN element leaves the running maximum alone.
        var running = Vector256<float>.Zero;
        for (var i = 0; i < 256; i += 8)
        {
            running = Avx.Max(Vector256.Abs(Vector256.Load(x + i)), running);
        }

        var m4 = Sse.Max(running.GetLower(), running.GetUpper());
        var amax = MathF.Max(MathF.Max(m4.GetElement(0), m4.GetElement(1)), MathF.Max(m4.GetElement(2), m4.GetElement(3)));
        if (amax == 0f)
        {
            new Span<byte>(y, 292).Clear();
            return;
        }

        var target = Vector256.Create(amax);
        var max = 0f;
        for (var i = 0; i < 256; i += 8)
        {
            var hits = Vector256.Equals(Vector256.Abs(Vector256.Load(x + i)), target).ExtractMostSignificantBits();
            if (hits != 0)
            {
                max = x[i + BitOperations.TrailingZeroCount(hits)];
                break;
            }
        }

        var iscale = -127f / max;
        var scale = Vector256.Create(iscale);
        var q = (sbyte*)(y + 4);
        var bsums = (short*)(y + 260);
        for (var g = 0; g < 16; g++)
        {
            var q0 = NearestIntAtMost127(Vector256.Load(x + (16 * g)) * scale);
            var q1 = NearestIntAtMost127(Vector256.Load(x + (16 * g) + 8) * scale);
            var words = Vector256.Narrow(q0, q1);
            Vector128.Narrow(words.GetLower(), words.GetUpper()).Store(q + (16 * g));
            // The sums of the stored (truncated) bytes: a q outside int8 only comes from an infinite product, as -2²², whose
            // low byte and low 16 bits are 0, so summing the int32 values gives the same 16 bits.
            bsums[g] = (short)Vector256.Sum(q0 + q1);
        }

        *(float*)y = 1f / iscale;
    }

    // min(127, nearest_int(v)) per lane: exactly Quantizer.NearestInt's bit operations (|v| ≤ 127 unless infinite or NaN).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> NearestIntAtMost127(Vector256<float> v) =>
        Vector256.Min(((v + Vector256.Create(12582912f)).AsInt32() & Vector256.Create(0x007fffff)) - Vector256.Create(0x00400000), Vector256.Create(127));

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
