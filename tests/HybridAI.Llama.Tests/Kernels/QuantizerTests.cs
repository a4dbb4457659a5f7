using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace HybridAI.Llama.Tests;

/// <summary>
/// Q5_0's reference quantizer and dequantizer (the fixtures hold no Q5_0 file): hand-worked blocks, and llama.cpp's own
/// answers on <see cref="LlamaCppHarnessRandom"/>'s input (quantize_row_q5_0_ref and dequantize_row_q5_0 called from
/// libggml-base.so of node-llama-cpp 3.22.1, late-2025 ggml; the function is unchanged since the reference commit).
/// </summary>
public sealed class QuantizerTests
{
    [Fact]
    public void QuantizeRow_Q5_0_HandWorkedBlock_RoundsHalfUpAndSplitsTheFifthBit()
    {
        var x = new float[32];
        x[0] = -16f;    // the largest magnitude, negative: d = -16 / -16 = 1, q = (int)(-16 + 16.5) = 0
        x[1] = 15.9f;   // (int)32.4 = 32, clamped to 31
        x[2] = 0.5f;    // (int)17.0 = 17: halves round up
        x[3] = -0.5f;   // (int)16.0 = 16
        x[4] = 2.49f;   // (int)18.99 = 18
        x[16] = 7f;     // 23
        x[17] = -3.5f;  // (int)13.0 = 13
        var block = new byte[22];

        Quantizer.QuantizeRow(GgmlType.Q5_0, x, block);

        Assert.Equal((ushort)0x3C00, BitConverter.ToUInt16(block, 0));             // d = 1.0 in F16
        Assert.Equal(0xFFFDFFFEu, BitConverter.ToUInt32(block, 2));                // fifth bits: all but elements 0 and 17
        Assert.Equal([0x70, 0xDF, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], block[6..]);
        var values = new float[32];
        Dequantizer.DequantizeRow(GgmlType.Q5_0, block, values);
        Assert.Equal([-16f, 15f, 1f, 0f, 2f], values[..5]);
        Assert.Equal([7f, -3f], values[16..18]);
        Assert.All(values[5..16], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void DequantizeRow_Q5_0_HandWorkedBlock_PutsBitEBesideElementE()
    {
        var block = new byte[22];
        BitConverter.TryWriteBytes(block.AsSpan(0, 2), (ushort)0x3800);            // d = 0.5
        BitConverter.TryWriteBytes(block.AsSpan(2, 4), 0x80000001u);               // fifth bits of elements 0 and 31
        block[6] = 0x3F;                                                           // element 0: 15 | 16; element 16: 3
        block[6 + 15] = 0xA0;                                                      // element 15: 0; element 31: 10 | 16
        var values = new float[32];

        Dequantizer.DequantizeRow(GgmlType.Q5_0, block, values);

        Assert.Equal(7.5f, values[0]);      // (31 - 16) · 0.5
        Assert.Equal(-6.5f, values[16]);    // (3 - 16) · 0.5
        Assert.Equal(-8f, values[15]);      // (0 - 16) · 0.5
        Assert.Equal(5f, values[31]);       // (26 - 16) · 0.5
        Assert.Equal(-8f, values[1]);
    }

    [Fact]
    public void QuantizeRow_Q5_0_RandomRows_WithinAStepAndExactOnTheGrid()
    {
        var x = KernelTestData.RandomFloats(64 * 32, 11, 2f);
        var bytes = KernelTestData.QuantizeRows(GgmlType.Q5_0, x, 64, 32);
        var values = new float[32];
        var again = new byte[22];
        for (var b = 0; b < 64; b++)
        {
            var block = bytes.AsSpan(b * 22, 22);
            Dequantizer.DequantizeRow(GgmlType.Q5_0, block, values);
            var d = MathF.Abs((float)BitConverter.ToHalf(block));
            for (var j = 0; j < 32; j++)
            {
                // Half a step, or a whole one where the clamp at 31 bites (the side opposite the largest magnitude reaches
                // 16 steps but keeps 15), plus the F16 rounding of d (2^-11 relative) over up to 16 steps.
                Assert.True(MathF.Abs(values[j] - x[(b * 32) + j]) <= d + (16 * d / 1024), $"block {b} [{j}]");
            }

            // Values already on the grid come back unchanged.
            Quantizer.QuantizeRow(GgmlType.Q5_0, values, again);
            Assert.Equal(block.ToArray(), again);
        }
    }

    /// <summary>llama.cpp's bytes and floats (SHA-256) for <see cref="LlamaCppHarnessRandom.QuantizerInput"/>: 512 blocks.</summary>
    [Fact]
    public void QuantizeRow_Q5_0_EqualsLlamaCppReferenceQuantizerBytes()
    {
        var x = new LlamaCppHarnessRandom().QuantizerInput();
        var bytes = new byte[(int)GgmlTypeInfo.RowBytes(GgmlType.Q5_0, x.Length)];
        var values = new float[x.Length];

        Quantizer.QuantizeRow(GgmlType.Q5_0, x, bytes);
        Dequantizer.DequantizeRow(GgmlType.Q5_0, bytes, values);

        Assert.Equal("5e4e23e32a33c697692a6547ac69e916fbd896b986003ce30208b89da487bde2", Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal("0d5dc95fd36baead1a4f485da451e19cd71a154b09006d17b52369db2a57dea5", Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan()))));
    }
}
