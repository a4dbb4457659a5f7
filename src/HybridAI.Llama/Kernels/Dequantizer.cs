using System.Buffers.Binary;

namespace HybridAI.Llama;

/// <summary>
/// Expands rows of stored weights to floats, element for element as ggml's <c>dequantize_row_*</c> (ggml-quants.c, which
/// llama.cpp builds without FMA, so <c>d * q - m</c> rounds twice here too). Used for embedding lookups and tests.
/// </summary>
/// <remarks>Stateless and thread-safe; allocation-free.</remarks>
internal static class Dequantizer
{
    /// <summary>Expands one row of <paramref name="dst"/>.Length elements of <paramref name="type"/> from <paramref name="src"/>.</summary>
    /// <exception cref="NotSupportedException">The type cannot be dequantized.</exception>
    /// <exception cref="ArgumentException">The row length is not a whole number of blocks or <paramref name="src"/> is too short.</exception>
    public static void DequantizeRow(GgmlType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        var bytes = GgmlTypeInfo.RowBytes(type, dst.Length);
        if (src.Length < bytes)
        {
            throw new ArgumentException($"A row of {dst.Length} {type} elements needs {bytes} bytes; got {src.Length}.", nameof(src));
        }

        switch (type)
        {
            case GgmlType.F32:
                for (var i = 0; i < dst.Length; i++)
                {
                    dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                }

                break;
            case GgmlType.F16:
                for (var i = 0; i < dst.Length; i++)
                {
                    dst[i] = Float16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]));
                }

                break;
            case GgmlType.BF16:
                for (var i = 0; i < dst.Length; i++)
                {
                    dst[i] = BFloat16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]));
                }

                break;
            case GgmlType.Q8_0:
                for (var b = 0; b < dst.Length / 32; b++)
                {
                    var block = src.Slice(b * 34, 34);
                    var d = Float16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(block));
                    for (var j = 0; j < 32; j++)
                    {
                        dst[(b * 32) + j] = (sbyte)block[2 + j] * d;
                    }
                }

                break;
            case GgmlType.Q4_0:
                for (var b = 0; b < dst.Length / 32; b++)
                {
                    var block = src.Slice(b * 18, 18);
                    var d = Float16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(block));
                    for (var j = 0; j < 16; j++)
                    {
                        dst[(b * 32) + j] = ((block[2 + j] & 0x0F) - 8) * d;
                        dst[(b * 32) + j + 16] = ((block[2 + j] >> 4) - 8) * d;
                    }
                }

                break;
            case GgmlType.Q5_0:
                for (var b = 0; b < dst.Length / 32; b++)
                {
                    DequantizeQ5_0(src.Slice(b * 22, 22), dst.Slice(b * 32, 32));
                }

                break;
            case GgmlType.Q4_K:
                for (var b = 0; b < dst.Length / 256; b++)
                {
                    DequantizeQ4K(src.Slice(b * 144, 144), dst.Slice(b * 256, 256));
                }

                break;
            case GgmlType.Q5_K:
                for (var b = 0; b < dst.Length / 256; b++)
                {
                    DequantizeQ5K(src.Slice(b * 176, 176), dst.Slice(b * 256, 256));
                }

                break;
            case GgmlType.Q6_K:
                for (var b = 0; b < dst.Length / 256; b++)
                {
                    DequantizeQ6K(src.Slice(b * 210, 210), dst.Slice(b * 256, 256));
                }

                break;
            case GgmlType.Q8_K:
                for (var b = 0; b < dst.Length / 256; b++)
                {
                    var block = src.Slice(b * 292, 292);
                    var d = BinaryPrimitives.ReadSingleLittleEndian(block);
                    for (var j = 0; j < 256; j++)
                    {
                        dst[(b * 256) + j] = d * (sbyte)block[4 + j];
                    }
                }

                break;
            default:
                throw new NotSupportedException($"Dequantizing {type} is not supported.");
        }
    }

    /// <summary>The 6-bit scale and min of sub-block <paramref name="j"/> (0..7) packed in the 12 scale bytes of a Q4_K/Q5_K block (ggml's get_scale_min_k4).</summary>
    internal static void ScaleMinK4(int j, ReadOnlySpan<byte> scales, out int scale, out int min)
    {
        if (j < 4)
        {
            scale = scales[j] & 63;
            min = scales[j + 4] & 63;
        }
        else
        {
            scale = (scales[j + 4] & 0xF) | ((scales[j - 4] >> 6) << 4);
            min = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4);
        }
    }

    // block_q5_0: f16 d, u8 qh[4] (bit j: fifth bit of element j), u8 qs[16] (element j low nibble, j + 16 high nibble);
    // value = ((nibble | fifth bit << 4) - 16) · d.
    private static void DequantizeQ5_0(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Float16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(block));
        var qh = BinaryPrimitives.ReadUInt32LittleEndian(block[2..]);
        var qs = block.Slice(6, 16);
        for (var j = 0; j < 16; j++)
        {
            var x0 = ((qs[j] & 0x0F) | (int)(((qh >> j) << 4) & 0x10)) - 16;
            var x1 = ((qs[j] >> 4) | (int)((qh >> (j + 12)) & 0x10)) - 16;
            y[j] = x0 * d;
            y[j + 16] = x1 * d;
        }
    }

    // block_q4_K: f16 d, f16 dmin, u8 scales[12], u8 qs[128]; sub-block pairs share 32 bytes (low nibbles, then high).
    private static void DequantizeQ4K(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Float16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(block));
        var dmin = Float16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(block[2..]));
        var scales = block.Slice(4, 12);
        var qs = block.Slice(16, 128);
        for (var j = 0; j < 4; j++)
        {
            ScaleMinK4(2 * j, scales, out var sc1, out var m1i);
            ScaleMinK4((2 * j) + 1, scales, out var sc2, out var m2i);
            float d1 = d * sc1, m1 = dmin * m1i, d2 = d * sc2, m2 = dmin * m2i;
            for (var l = 0; l < 32; l++)
            {
                var q = qs[(32 * j) + l];
                y[(64 * j) + l] = (d1 * (q & 0xF)) - m1;
                y[(64 * j) + 32 + l] = (d2 * (q >> 4)) - m2;
            }
        }
    }

    // block_q5_K: f16 d, f16 dmin, u8 scales[12], u8 qh[32], u8 qs[128]; bit 2j / 2j+1 of qh[l] is the fifth bit.
    private static void DequantizeQ5K(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Float16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(block));
        var dmin = Float16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(block[2..]));
        var scales = block.Slice(4, 12);
        var qh = block.Slice(16, 32);
        var qs = block.Slice(48, 128);
        for (var j = 0; j < 4; j++)
        {
            ScaleMinK4(2 * j, scales, out var sc1, out var m1i);
            ScaleMinK4((2 * j) + 1, scales, out var sc2, out var m2i);
            float d1 = d * sc1, m1 = dmin * m1i, d2 = d * sc2, m2 = dmin * m2i;
            int u1 = 1 << (2 * j), u2 = 2 << (2 * j);
            for (var l = 0; l < 32; l++)
            {
                var q = qs[(32 * j) + l];
                y[(64 * j) + l] = (d1 * ((q & 0xF) + ((qh[l] & u1) != 0 ? 16 : 0))) - m1;
                y[(64 * j) + 32 + l] = (d2 * ((q >> 4) + ((qh[l] & u2) != 0 ? 16 : 0))) - m2;
            }
        }
    }

    // block_q6_K: u8 ql[128], u8 qh[64], i8 scales[16], f16 d.
    private static void DequantizeQ6K(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Float16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(block[208..]));
        for (var n = 0; n < 2; n++)
        {
            var ql = block.Slice(64 * n, 64);
            var qh = block.Slice(128 + (32 * n), 32);
            var sc = block.Slice(192 + (8 * n), 8);
            for (var l = 0; l < 32; l++)
            {
                var s = l / 16;
                var q1 = ((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32;
                var q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                var q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                var q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[(128 * n) + l] = d * (sbyte)sc[s] * q1;
                y[(128 * n) + l + 32] = d * (sbyte)sc[s + 2] * q2;
                y[(128 * n) + l + 64] = d * (sbyte)sc[s + 4] * q3;
                y[(128 * n) + l + 96] = d * (sbyte)sc[s + 6] * q4;
            }
        }
    }
}
