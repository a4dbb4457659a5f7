using System.Buffers.Binary;

namespace HybridAI.Llama.Tests;

public sealed unsafe class ActivationBufferTests
{
    [Fact]
    public void Load_Q8_0_RoundsHalfToEvenWithInverseOfAmax()
    {
        // amax = 127 → d = 1, id = 1: the AVX2 quantize_row_q8_0 rounds ties to even; the reference (roundf) away from zero.
        var x = new float[32];
        x[0] = 127f;
        x[1] = 2.5f;
        x[2] = 3.5f;
        x[3] = -2.5f;
        x[4] = -0.5f;
        x[5] = 0.49999997f;
        var buffer = new ActivationBuffer(32, 1);
        buffer.Load(GgmlType.Q4_0, x, 1, 32);

        Assert.Equal(GgmlType.Q8_0, buffer.Type);
        var q = new ReadOnlySpan<sbyte>(buffer.Row(0) + 2, 32);
        Assert.Equal(new sbyte[] { 127, 2, 4, -2, 0, 0 }, q[..6].ToArray());
        Assert.Equal(1f, (float)BitConverter.UInt16BitsToHalf(*(ushort*)buffer.Row(0)));

        var reference = new byte[34];
        Quantizer.QuantizeRow(GgmlType.Q8_0, x, reference);
        Assert.Equal(3, (sbyte)reference[2 + 1]);
    }

    /// <summary>
    /// The nibble offsets the repacked Q4_0 kernels subtract are 8 · the sum of each block's quantized values, per row, for
    /// Q4_0 weights (whose activations are Q8_0), including blocks at the largest magnitudes.
    /// </summary>
    [Fact]
    public void Load_ForQ4_0_NibbleOffsetsAreEightTimesEachBlocksSum()
    {
        const int Cols = 32 * 5;
        const int Rows = 3;
        var x = KernelTestData.RandomFloats(Cols * Rows, seed: 9, scale: 3f);
        x.AsSpan(Cols + 32, 32).Fill(-4f); // every value −127
        x.AsSpan((2 * Cols) + 64, 32).Fill(4f); // every value 127
        var buffer = new ActivationBuffer(Cols, Rows);
        buffer.Load(GgmlType.Q4_0, x, Rows, Cols);
        for (var r = 0; r < Rows; r++)
        {
            for (var b = 0; b < Cols / 32; b++)
            {
                var q = new ReadOnlySpan<sbyte>(buffer.Row(r) + (b * 34) + 2, 32);
                var sum = 0;
                foreach (var v in q)
                {
                    sum += v;
                }

                Assert.Equal(8 * sum, buffer.NibbleOffsets(r)[b]);
            }
        }

        Assert.Equal(8 * -127 * 32, buffer.NibbleOffsets(1)[1]);
        Assert.Equal(8 * 127 * 32, buffer.NibbleOffsets(2)[2]);
    }

    [Fact]
    public void Load_Q8_0_SimdAndScalarAgree()
    {
        const int Cols = 32 * 37;
        var x = KernelTestData.RandomFloats(Cols * 3, seed: 5, scale: 2f);
        x[40] = 0; // a block with ties
        for (var i = 64; i < 96; i++)
        {
            x[i] = (i % 5) - 2.5f;
        }

        for (var i = 96; i < 128; i++)
        {
            x[i] = 0f; // an all-zero block: d = 0, q = 0
        }

        var simd = new ActivationBuffer(Cols, 3);
        var scalar = new ActivationBuffer(Cols, 3);
        simd.Load(GgmlType.Q8_0, x, 3, Cols);
        scalar.Load(GgmlType.Q8_0, x, 3, Cols, scalar: true);
        var bytes = (int)(3 * simd.RowStride);
        Assert.Equal(new ReadOnlySpan<byte>(scalar.Row(0), bytes).ToArray(), new ReadOnlySpan<byte>(simd.Row(0), bytes).ToArray());
    }

    [Fact]
    public void Load_KQuantWeights_ProducesReferenceQ8K()
    {
        var x = KernelTestData.RandomFloats(512, seed: 9);
        var buffer = new ActivationBuffer(512, 1);
        buffer.Load(GgmlType.Q6_K, x, 1, 512);

        Assert.Equal(GgmlType.Q8_K, buffer.Type);
        var block = new ReadOnlySpan<byte>(buffer.Row(0), 292);
        var max = x.Take(256).MaxBy(MathF.Abs);
        Assert.Equal(1f / (-127f / max), BinaryPrimitives.ReadSingleLittleEndian(block));
        for (var g = 0; g < 16; g++)
        {
            var sum = 0;
            for (var i = 0; i < 16; i++)
            {
                sum += (sbyte)block[4 + (16 * g) + i];
            }

            Assert.Equal(sum, BinaryPrimitives.ReadInt16LittleEndian(block[(260 + (2 * g))..]));
        }
    }

    /// <summary>
    /// The vectorised Q8_K quantization equals its scalar twin (quantize_row_q8_K_ref) byte for byte: random rows of very
    /// different magnitudes, and blocks with exact ties of nearest_int (both parities, both signs), the largest magnitude
    /// held by elements of opposite sign, also within one vector (the first wins), zeros and negative zeros only, one
    /// subnormal (iscale overflows to infinity), an infinity, NaNs, and values just below a tie.
    /// </summary>
    [Fact]
    public void Load_Q8K_SimdEqualsScalarTwinByteForByte()
    {
        const int Cols = 256 * 12;
        const int Rows = 48;
        var x = new float[Rows * Cols];
        for (var r = 0; r < Rows; r++)
        {
            var scale = MathF.Pow(10f, (r % 13) - 6);
            KernelTestData.RandomFloats(Cols, seed: 100 + r, scale).CopyTo(x, r * Cols);
        }

        // Row 0, block by block.
        var b = 0;
        Block(b++).Clear();
        var negativeZeros = Block(b++);
        negativeZeros.Fill(-0f);
        negativeZeros[7] = 0f;
        var ties = Block(b++);
        ties[0] = -127f; // iscale = 1: q = nearest_int(x) exactly, ties to even
        for (var i = 1; i < 256; i++)
        {
            ties[i] = ((i % 40) - 20) + (i % 3 == 0 ? 0.5f : -0.5f);
        }

        var tiesScaled = Block(b++);
        tiesScaled[5] = 254f; // iscale = -0.5: x = 2k + 1 gives ties at -(k + 0.5)
        for (var i = 6; i < 256; i++)
        {
            tiesScaled[i] = (2 * ((i % 50) - 25)) + 1;
        }

        var oppositeFirstNegative = Block(b++);
        oppositeFirstNegative[3] = -5f;
        oppositeFirstNegative[6] = 5f;
        oppositeFirstNegative[10] = 5f;
        oppositeFirstNegative[200] = 1.25f;
        var oppositeFirstPositive = Block(b++);
        oppositeFirstPositive[250] = -5f;
        oppositeFirstPositive[33] = 5f;
        oppositeFirstPositive[34] = -2.5f;
        oppositeFirstPositive[35] = -5f;
        var subnormal = Block(b++);
        subnormal.Clear();
        subnormal[17] = 1e-40f;
        var infinity = Block(b++);
        infinity[100] = float.NegativeInfinity;
        var nans = Block(b++);
        nans[0] = float.NaN;
        nans[129] = BitConverter.Int32BitsToSingle(0x7fc12345);
        nans[255] = -float.NaN;
        var allNaN = Block(b++);
        allNaN.Fill(float.NaN);
        var belowTie = Block(b++);
        belowTie[0] = 127f; // iscale = -1
        for (var i = 1; i < 256; i++)
        {
            belowTie[i] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits((i % 100) + 0.5f) - 1);
        }

        var simd = new ActivationBuffer(Cols, Rows);
        var scalar = new ActivationBuffer(Cols, Rows);
        simd.Load(GgmlType.Q4_K, x, Rows, Cols);
        scalar.Load(GgmlType.Q4_K, x, Rows, Cols, scalar: true);
        Assert.Equal(GgmlType.Q8_K, simd.Type);
        for (var r = 0; r < Rows; r++)
        {
            for (var k = 0; k < Cols / 256; k++)
            {
                var expected = new ReadOnlySpan<byte>(scalar.Row(r) + (292 * k), 292).ToArray();
                var got = new ReadOnlySpan<byte>(simd.Row(r) + (292 * k), 292).ToArray();
                Assert.True(expected.AsSpan().SequenceEqual(got), $"row {r} block {k}");
            }
        }

        Span<float> Block(int index) => x.AsSpan(256 * index, 256);
    }

    [Theory]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.BF16)]
    [InlineData(GgmlType.F32)]
    public void Load_FloatWeights_StoresRoundedValuesAsF32(GgmlType type)
    {
        var x = KernelTestData.RandomFloats(100, seed: 3);
        var buffer = new ActivationBuffer(100, 2);
        buffer.Load(type, x, 1, 100);

        Assert.Equal(type, buffer.Type);
        Assert.Equal(400, buffer.RowStride);
        var stored = new ReadOnlySpan<float>(buffer.Row(0), 100);
        for (var i = 0; i < 100; i++)
        {
            var expected = type switch
            {
                GgmlType.F16 => (float)(Half)x[i],
                GgmlType.BF16 => BFloat16.ToSingle(BFloat16.FromSingle(x[i])),
                _ => x[i],
            };
            Assert.Equal(expected, stored[i]);
        }
    }

    [Fact]
    public void Load_ShapeTooLarge_Throws()
    {
        var buffer = new ActivationBuffer(64, 2);
        Assert.Throws<ArgumentException>(() => buffer.Load(GgmlType.Q8_0, new float[3 * 64], 3, 64));
        Assert.Throws<ArgumentException>(() => buffer.Load(GgmlType.Q8_0, new float[128], 1, 128));
        Assert.Throws<ArgumentException>(() => buffer.Load(GgmlType.Q8_0, new float[40], 1, 40));
        Assert.Throws<ArgumentException>(() => buffer.Load(GgmlType.F32, new float[10], 1, 64));
    }
}
