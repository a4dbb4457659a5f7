namespace HybridAI.Llama.Tests;

public sealed unsafe class MatMulTests
{
    public static TheoryData<GgmlType> WeightTypes => new(KernelTestData.WeightTypes);

    [Theory]
    [MemberData(nameof(WeightTypes))]
    public void Multiply_Vector_EqualsRowKernelOnEveryRow_SingleAndMultiThreaded(GgmlType type)
    {
        const int Rows = 37; // with 1024 columns, over MatMul's threshold for using the pool
        const int cols = 1024;
        var (weights, x) = Prepare(type, Rows, cols, batch: 1);
        var kernel = VecDot.Select(type);
        using var pool = new ComputePool(3);
        var y1 = new float[Rows];
        var y3 = new float[Rows];
        fixed (byte* wp = weights)
        fixed (float* p1 = y1, p3 = y3)
        {
            var w = new WeightMatrix(wp, type, Rows, cols);
            MatMul.Multiply(w, x, p1, null);
            MatMul.Multiply(w, x, p3, pool);
            for (var r = 0; r < Rows; r++)
            {
                Assert.Equal(kernel(w.Row(r), x.Row(0), cols), y1[r]);
            }
        }

        Assert.Equal(y1, y3);
    }

    [Theory]
    [MemberData(nameof(WeightTypes))]
    public void Multiply_Batch_EqualsBatchKernelPerActivationRow(GgmlType type)
    {
        const int Rows = 44;
        const int Batch = 5;
        const int cols = 256;
        var (weights, x) = Prepare(type, Rows, cols, Batch);
        var kernel = VecDot.SelectBatch(type, Rows, cols);
        using var pool = new ComputePool(2);
        var y = new float[Batch * Rows];
        fixed (byte* wp = weights)
        fixed (float* yp = y)
        {
            var w = new WeightMatrix(wp, type, Rows, cols);
            MatMul.Multiply(w, x, yp, pool);
            for (var b = 0; b < Batch; b++)
            {
                for (var r = 0; r < Rows; r++)
                {
                    Assert.Equal(kernel(w.Row(r), x.Row(b), cols), y[(b * Rows) + r]);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(WeightTypes))]
    public void Multiply_ScalarAndSimd_AgreeBitForBit(GgmlType type)
    {
        const int Rows = 19;
        var cols = GgmlTypeInfo.BlockSize(type) == 256 ? 768 : 160;
        var (weights, x) = Prepare(type, Rows, cols, batch: 3);
        var simd = new float[3 * Rows];
        var scalar = new float[3 * Rows];
        fixed (byte* wp = weights)
        fixed (float* ps = simd, pc = scalar)
        {
            var w = new WeightMatrix(wp, type, Rows, cols);
            MatMul.Multiply(w, x, ps, null);
            MatMul.Multiply(w, x, pc, null, scalar: true);
        }

        Assert.Equal(scalar, simd);
    }

    [Theory]
    [MemberData(nameof(WeightTypes))]
    public void LoadAndMultiply_SteadyState_AllocateNothing(GgmlType type)
    {
        const int Rows = 64;
        const int cols = 512;
        var (weights, x) = Prepare(type, Rows, cols, batch: 2);
        var input = KernelTestData.RandomFloats(2 * cols, seed: 4);
        var y = new float[2 * Rows];
        using var pool = new ComputePool(2);
        fixed (byte* wp = weights)
        fixed (float* yp = y)
        {
            var w = new WeightMatrix(wp, type, Rows, cols);

            // Warm up on exactly the measured loop (one and two activation rows: the mat-vec and the batch paths), so that
            // first uses and tiered compilation's promotions happen before the measurement, not in it.
            for (var i = 0; i < 100; i++)
            {
                x.Load(type, input, 1 + (i % 2), cols);
                MatMul.Multiply(w, x, yp, pool);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 50; i++)
            {
                x.Load(type, input, 1 + (i % 2), cols);
                MatMul.Multiply(w, x, yp, pool);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    /// <summary>
    /// Batches run the 4×8 and 4×4 kernels where there are any; rows not a multiple of 4 (per tile) and a batch not a
    /// multiple of 4 take the one-row and four-row kernels (14 = 8 + 4 + 2 activation rows). Every output equals the scalar twin bit for bit.
    /// </summary>
    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q5_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q6_K)]
    [InlineData(GgmlType.Q5_K)]
    public void Multiply_BatchOddShapes_EqualsScalarTwinBitForBit(GgmlType type)
    {
        const int Rows = 23;
        var cols = GgmlTypeInfo.BlockSize(type) == 256 ? 512 : 320;
        var scalar = VecDot.Select(type, scalar: true);
        using var pool = new ComputePool(2);
        foreach (var batch in new[] { 4, 9, 14 })
        {
            var (weights, x) = Prepare(type, Rows, cols, batch);
            var y1 = new float[batch * Rows];
            var y2 = new float[batch * Rows];
            fixed (byte* wp = weights)
            fixed (float* p1 = y1, p2 = y2)
            {
                var w = new WeightMatrix(wp, type, Rows, cols);
                MatMul.Multiply(w, x, p1, null);
                MatMul.Multiply(w, x, p2, pool);
                for (var b = 0; b < batch; b++)
                {
                    for (var r = 0; r < Rows; r++)
                    {
                        var expected = scalar(w.Row(r), x.Row(b), cols);
                        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(y1[(b * Rows) + r]), $"{type} batch {batch} x{b} w{r}: {y1[(b * Rows) + r]:R} vs {expected:R}");
                    }
                }
            }

            Assert.Equal(y1, y2);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Multiply_Q4_0WithRowsMultipleOf8_FollowsRepackedOrderUnlessTold(bool repacked)
    {
        const int Rows = 40; // two full 16-row tiles and a partial one
        const int Cols = 1024;
        foreach (var batch in new[] { 1, 5, 13 })
        {
            var (weights, x) = Prepare(GgmlType.Q4_0, Rows, Cols, batch);
            var kernel = repacked ? VecDot.SelectQ4_0Interleaved(scalar: true) : VecDot.Select(GgmlType.Q4_0, scalar: true);
            var y = new float[batch * Rows];
            var yScalar = new float[batch * Rows];
            using var pool = new ComputePool(2);
            fixed (byte* wp = weights)
            fixed (float* yp = y, ys = yScalar)
            {
                var w = repacked ? new WeightMatrix(wp, GgmlType.Q4_0, Rows, Cols) : new WeightMatrix(wp, GgmlType.Q4_0, Rows, Cols, repackedByLlamaCpp: false);
                Assert.Equal(repacked, w.RepackedByLlamaCpp);
                MatMul.Multiply(w, x, yp, pool);
                MatMul.Multiply(w, x, ys, null, scalar: true);
                for (var b = 0; b < batch; b++)
                {
                    for (var r = 0; r < Rows; r++)
                    {
                        Assert.Equal(kernel(w.Row(r), x.Row(b), Cols), y[(b * Rows) + r]);
                    }
                }
            }

            Assert.Equal(yScalar, y);
        }
    }

    /// <summary>
    /// A repacked Q4_0 matrix whose scales are all normal or zero is marked for the short scale widening; one subnormal,
    /// infinite or NaN scale anywhere takes the exact widening instead, so that every product still equals the scalar path's
    /// bit for bit (an infinity or a NaN would come out finite the short way).
    /// </summary>
    [Theory]
    [InlineData((ushort)0x3C00, true)]
    [InlineData((ushort)0x0000, true)]
    [InlineData((ushort)0x8000, true)]
    [InlineData((ushort)0x0001, false)]
    [InlineData((ushort)0x83FF, false)]
    [InlineData((ushort)0x7C00, false)]
    [InlineData((ushort)0xFC00, false)]
    [InlineData((ushort)0x7E00, false)]
    public void Multiply_RepackedQ4_0_WidensScalesTheShortWayOnlyWhenAllAreNormalOrZero(ushort scale, bool normal)
    {
        const int Rows = 48;
        const int Cols = 512;
        var blocksPerRow = Cols / 32;
        foreach (var block in new[] { 0, 17 * blocksPerRow + 5, (Rows * blocksPerRow) - 1 })
        {
            foreach (var batch in new[] { 1, 9 })
            {
                var (weights, x) = Prepare(GgmlType.Q4_0, Rows, Cols, batch);
                BitConverter.TryWriteBytes(weights.AsSpan(block * 18, 2), scale);
                var kernel = VecDot.SelectQ4_0Interleaved(scalar: true);
                var y = new float[batch * Rows];
                using var pool = new ComputePool(2);
                fixed (byte* wp = weights)
                fixed (float* yp = y)
                {
                    var w = new WeightMatrix(wp, GgmlType.Q4_0, Rows, Cols);
                    Assert.Equal(normal && VecDot.IsSimdSupported, w.ScalesNormalOrZero);
                    MatMul.Multiply(w, x, yp, pool);
                    for (var b = 0; b < batch; b++)
                    {
                        for (var r = 0; r < Rows; r++)
                        {
                            var expected = kernel(w.Row(r), x.Row(b), Cols);
                            var got = y[(b * Rows) + r];
                            Assert.True(
                                BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(got) || (float.IsNaN(expected) && float.IsNaN(got)),
                                $"scale 0x{scale:X4} in block {block}, batch {batch}, activation row {b}, row {r}: {got:R} vs scalar {expected:R}");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void WeightMatrix_RepackedOnlyForQ4_0WithRowsMultipleOf8()
    {
        var data = new byte[64];
        fixed (byte* p = data)
        {
            var bytes = p;
            Assert.False(new WeightMatrix(bytes, GgmlType.Q4_0, 12, 32).RepackedByLlamaCpp);
            Assert.False(new WeightMatrix(bytes, GgmlType.Q8_0, 16, 32).RepackedByLlamaCpp);
            Assert.False(new WeightMatrix(bytes, GgmlType.Q8_0, 16, 32).ScalesNormalOrZero);
            Assert.False(new WeightMatrix(bytes, GgmlType.Q4_0, 12, 32).ScalesNormalOrZero);
            Assert.Throws<ArgumentException>(() => new WeightMatrix(bytes, GgmlType.Q4_0, 12, 32, repackedByLlamaCpp: true));
            Assert.Throws<ArgumentException>(() => new WeightMatrix(bytes, GgmlType.Q8_0, 16, 32, repackedByLlamaCpp: true));
        }
    }

    [Fact]
    public void Multiply_ActivationsOfAnotherVecDotType_Throws()
    {
        var (weights, x) = Prepare(GgmlType.Q8_0, 4, 256, 1);
        fixed (byte* wp = weights)
        {
            // Q8_0 activations against Q4_K weights, which need Q8_K blocks.
            var w = new WeightMatrix(wp, GgmlType.Q4_K, 4, 256);
            Assert.Throws<ArgumentException>(() => MatMul.Multiply(w, x, null, null));
        }
    }

    [Fact]
    public void Multiply_ActivationsLoadedForAnotherTypeWithTheSameVecDotType_GiveTheSameResult()
    {
        // One quantization serves every matrix whose weights meet the same blocks (q/k/v, gate/up): Q8_0 and Q4_0 both meet Q8_0.
        const int Rows = 32;
        const int Cols = 256;
        var (weights, own) = Prepare(GgmlType.Q4_0, Rows, Cols, 3);
        var values = KernelTestData.RandomFloats(3 * Cols, Cols);
        var shared = new ActivationBuffer(Cols, 3);
        shared.Load(GgmlType.Q8_0, values, 3, Cols);
        var expected = new float[3 * Rows];
        var actual = new float[3 * Rows];
        fixed (byte* wp = weights)
        fixed (float* e = expected, a = actual)
        {
            var w = new WeightMatrix(wp, GgmlType.Q4_0, Rows, Cols);
            MatMul.Multiply(w, own, e, null);
            MatMul.Multiply(w, shared, a, null);
        }

        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// Several matrices in one run (a layer's q, k, v or gate, up) give each output exactly as a product of its own would:
    /// types that share a vec-dot type (Q4_0 in llama.cpp's repacked order, Q8_0 and Q5_0 meet Q8_0 blocks; Q4_K, Q6_K and
    /// Q5_K meet Q8_K), row counts that are not multiples of the 16-row tile, one activation row and a batch, 1 to 3 threads.
    /// </summary>
    [Theory]
    [InlineData(GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q5_0, 1)]
    [InlineData(GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q5_0, 9)]
    [InlineData(GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q5_K, 1)]
    [InlineData(GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q5_K, 6)]
    [InlineData(GgmlType.F16, GgmlType.F16, GgmlType.F16, 1)]
    [InlineData(GgmlType.F32, GgmlType.F32, GgmlType.F32, 5)]
    public void Multiply_SeveralMatricesInOneRun_EachEqualsItsOwnProduct(GgmlType a, GgmlType b, GgmlType c, int batch)
    {
        const int Cols = 512;
        GgmlType[] types = [a, b, c];
        int[] rows = [72, 21, 40];
        var values = KernelTestData.RandomFloats(batch * Cols, Cols);
        var x = new ActivationBuffer(Cols, batch);
        x.Load(a, values, batch, Cols);
        var data = new byte[3][];
        for (var i = 0; i < 3; i++)
        {
            data[i] = KernelTestData.QuantizeRows(types[i], KernelTestData.RandomFloats(rows[i] * Cols, rows[i] + i, 0.5f), rows[i], Cols);
        }

        for (var threads = 1; threads <= 3; threads++)
        {
            using var pool = new ComputePool(threads);
            for (var count = 1; count <= 3; count++)
            {
                var separate = new float[3][];
                var joint = new float[3][];
                for (var i = 0; i < 3; i++)
                {
                    separate[i] = new float[batch * rows[i]];
                    joint[i] = new float[batch * rows[i]];
                }

                fixed (byte* w0 = data[0], w1 = data[1], w2 = data[2])
                fixed (float* s0 = separate[0], s1 = separate[1], s2 = separate[2])
                fixed (float* j0 = joint[0], j1 = joint[1], j2 = joint[2])
                {
                    WeightMatrix[] weights =
                    [
                        new(w0, types[0], rows[0], Cols), new(w1, types[1], rows[1], Cols), new(w2, types[2], rows[2], Cols),
                    ];
                    nint[] outputs = [(nint)j0, (nint)j1, (nint)j2];
                    MatMul.Multiply(weights.AsSpan(0, count), x, outputs.AsSpan(0, count), pool);
                    MatMul.Multiply(weights[0], x, s0, null);
                    MatMul.Multiply(weights[1], x, s1, null);
                    MatMul.Multiply(weights[2], x, s2, null);
                }

                for (var i = 0; i < count; i++)
                {
                    Assert.True(separate[i].AsSpan().SequenceEqual(joint[i]), $"{types[i]} (matrix {i} of {count}, {threads} threads, batch {batch}) differs from its own product.");
                }
            }
        }
    }

    [Fact]
    public void Multiply_SeveralMatrices_BadArguments_Throw()
    {
        var (weights, x) = Prepare(GgmlType.Q8_0, 4, 256, 1);
        var y = new float[4];
        fixed (byte* wp = weights)
        fixed (float* yp = y)
        {
            var q8 = new WeightMatrix(wp, GgmlType.Q8_0, 4, 256);
            var q4k = new WeightMatrix(wp, GgmlType.Q4_K, 4, 256);
            var narrow = new WeightMatrix(wp, GgmlType.Q8_0, 4, 128);
            var output = (nint)yp;
            Assert.Throws<ArgumentException>(() => MatMul.Multiply(ReadOnlySpan<WeightMatrix>.Empty, x, ReadOnlySpan<nint>.Empty, null));
            Assert.Throws<ArgumentException>(() => MatMul.Multiply(new[] { q8, q8, q8, q8 }, x, new[] { output, output, output, output }, null));
            Assert.Throws<ArgumentException>(() => MatMul.Multiply(new[] { q8, q8 }, x, new[] { output }, null));
            Assert.Throws<ArgumentException>(() => MatMul.Multiply(new[] { q8, q4k }, x, new[] { output, output }, null));
            Assert.Throws<ArgumentException>(() => MatMul.Multiply(new[] { q8, narrow }, x, new[] { output, output }, null));
            Assert.Throws<ArgumentException>(() => MatMul.Multiply(new[] { q8, q8 }, x, new[] { output, 0 }, null));
        }
    }

    [Fact]
    public void WeightMatrix_UnsupportedTypeOrPartialBlock_Throws()
    {
        var data = new byte[1024];
        fixed (byte* p = data)
        {
            var bytes = p;
            Assert.Throws<NotSupportedException>(() => new WeightMatrix(bytes, GgmlType.Q2_K, 1, 256));
            Assert.Throws<ArgumentException>(() => new WeightMatrix(bytes, GgmlType.Q4_0, 1, 48));
            Assert.Equal(18 * 2, new WeightMatrix(bytes, GgmlType.Q4_0, 3, 64).RowBytes);
        }
    }

    private static (byte[] Weights, ActivationBuffer X) Prepare(GgmlType type, int rows, int cols, int batch)
    {
        var weights = KernelTestData.QuantizeRows(type, KernelTestData.RandomFloats(rows * cols, rows, 0.5f), rows, cols);
        var x = new ActivationBuffer(cols, batch);
        x.Load(type, KernelTestData.RandomFloats(batch * cols, cols), batch, cols);
        return (weights, x);
    }
}
