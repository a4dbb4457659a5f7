using System.Runtime.Intrinsics;

namespace HybridAI.Llama.Tests;

public sealed unsafe class VecDotTests
{
    public static TheoryData<GgmlType> WeightTypes => new(KernelTestData.WeightTypes);

    /// <summary>
    /// The SIMD kernels keep ggml's lane structure and the scalar twins mirror it lane for lane, so the results are
    /// identical bit for bit (integer block sums are exact; the float operations are the same in the same order).
    /// </summary>
    [Theory]
    [MemberData(nameof(WeightTypes))]
    public void Select_SimdAndScalar_AgreeBitForBit(GgmlType type)
    {
        Assert.SkipUnless(VecDot.IsSimdSupported, "AVX2/FMA not available: only the scalar kernels run here.");
        var simd = VecDot.Select(type);
        var scalar = VecDot.Select(type, scalar: true);
        foreach (var n in KernelTestData.Lengths(type))
        {
            for (var seed = 0; seed < 3; seed++)
            {
                var (w, x) = Prepare(type, n, seed);
                fixed (byte* wp = w)
                {
                    var a = simd(wp, x.Row(0), n);
                    var b = scalar(wp, x.Row(0), n);
                    Assert.True(BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b), $"{type} n={n} seed={seed}: SIMD {a:R} vs scalar {b:R}");
                }
            }
        }
    }

    /// <summary>The 128-bit kernels (Arm64's path; portable operations on x64) keep the same lanes: equal bit for bit too.</summary>
    [Theory]
    [MemberData(nameof(WeightTypes))]
    public void SelectPortable_AgreesWithScalarBitForBit(GgmlType type)
    {
        var portable = VecDot.SelectPortable(type);
        var scalar = VecDot.Select(type, scalar: true);
        foreach (var n in KernelTestData.Lengths(type))
        {
            for (var seed = 0; seed < 2; seed++)
            {
                var (w, x) = Prepare(type, n, seed);
                fixed (byte* wp = w)
                {
                    var a = portable(wp, x.Row(0), n);
                    var b = scalar(wp, x.Row(0), n);
                    Assert.True(BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b), $"{type} n={n} seed={seed}: portable {a:R} vs scalar {b:R}");
                }
            }
        }
    }

    /// <summary>
    /// On Arm64 every type runs the 128-bit kernels, with Arm's dot-product instruction where the CPU has it and AdvSimd
    /// widening pairs where not. x64 machines test them through portable operations (above); tests/arm64/run-under-qemu.sh
    /// runs this whole project as an Arm64 build under emulation, with and without the dot-product extension.
    /// </summary>
    [Fact]
    public void Select_OnArm64_ChoosesThe128BitKernels()
    {
        Assert.SkipUnless(
            System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64,
            "Runs on Arm64 only (tests/arm64/run-under-qemu.sh emulates it).");
        TestContext.Current.TestOutputHelper?.WriteLine($"AdvSimd {System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported}, Dp {System.Runtime.Intrinsics.Arm.Dp.IsSupported}");
        Assert.True(Vector128.IsHardwareAccelerated, "Vector128 is not accelerated on this Arm64 machine.");
        Assert.False(VecDot.IsSimdSupported, "Arm64 reported the x64 kernels as supported.");

        // With Vector128 accelerated and no AVX2, Select hands out SelectPortable's kernels; they must equal the scalar twins.
        foreach (var type in KernelTestData.WeightTypes)
        {
            var chosen = VecDot.Select(type);
            var scalar = VecDot.Select(type, scalar: true);
            foreach (var n in KernelTestData.Lengths(type))
            {
                var (w, x) = Prepare(type, n, seed: 3);
                fixed (byte* wp = w)
                {
                    var a = chosen(wp, x.Row(0), n);
                    var b = scalar(wp, x.Row(0), n);
                    Assert.True(BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b), $"{type} n={n}: Arm64 kernel {a:R} vs scalar {b:R}");
                }
            }
        }
    }

    [Fact]
    public void DotLanes_SumsFourProductsPerLane_IncludingExtremes()
    {
        var a = new sbyte[16];
        var b = new sbyte[16];
        var random = new Random(3);
        for (var trial = 0; trial < 1000; trial++)
        {
            for (var i = 0; i < 16; i++)
            {
                a[i] = trial == 0 ? (sbyte)-128 : (sbyte)random.Next(-128, 128);
                b[i] = trial == 0 ? (sbyte)127 : (sbyte)random.Next(-127, 128);
            }

            var lanes = VecDot.DotLanes(Vector128.Create(a), Vector128.Create(b));
            for (var l = 0; l < 4; l++)
            {
                var expected = 0;
                for (var k = 0; k < 4; k++)
                {
                    expected += a[(4 * l) + k] * b[(4 * l) + k];
                }

                Assert.Equal(expected, lanes.GetElement(l));
            }
        }
    }

    /// <summary>
    /// The 256-bit kernels' byte products, on whichever path this CPU takes (AVX-VNNI's vpdpbusd, or vpmaddubsw and
    /// vpmaddwd): exact sums of four over the kernels' whole input range, extremes included.
    /// </summary>
    [Fact]
    public void SumsOfFour_SumsFourProductsPerLane_OverTheKernelsInputRange()
    {
        Assert.SkipUnless(VecDot.IsSimdSupported, "AVX2/FMA not available.");
        TestContext.Current.TestOutputHelper?.WriteLine($"AVX-VNNI: {VecDot.IsAvxVnniSupported}");
        var u = new byte[32];
        var s = new sbyte[32];
        var acc = new int[8];
        var random = new Random(5);
        for (var trial = 0; trial < 1000; trial++)
        {
            // The callers' range: |w| ≤ 128 (sign-trick magnitudes, nibbles, five-bit values) against |x| ≤ 127.
            for (var i = 0; i < 32; i++)
            {
                u[i] = trial == 0 ? (byte)128 : (byte)random.Next(0, 129);
                s[i] = trial == 0 ? (sbyte)(i % 2 == 0 ? 127 : -127) : (sbyte)random.Next(-127, 128);
            }

            for (var l = 0; l < 8; l++)
            {
                acc[l] = random.Next(-1 << 20, 1 << 20);
            }

            var sums = VecDot.SumsOfFour(Vector256.Create(u), Vector256.Create(s));
            var added = VecDot.AddSumsOfFour(Vector256.Create(acc), Vector256.Create(u), Vector256.Create(s));
            for (var l = 0; l < 8; l++)
            {
                var expected = 0;
                for (var k = 0; k < 4; k++)
                {
                    expected += u[(4 * l) + k] * s[(4 * l) + k];
                }

                Assert.Equal(expected, sums.GetElement(l));
                Assert.Equal(acc[l] + expected, added.GetElement(l));
            }
        }
    }

    /// <summary>The path that benchmark reports name is the one the kernels take.</summary>
    [Fact]
    public void KernelPath_NamesThePathTaken()
    {
        var path = VecDot.KernelPath;
        TestContext.Current.TestOutputHelper?.WriteLine(path);
        Assert.Equal(VecDot.IsAvx512Supported, path.StartsWith("AVX-512", StringComparison.Ordinal));
        Assert.Equal(VecDot.IsSimdSupported && !VecDot.IsAvx512Supported, path.StartsWith("AVX2", StringComparison.Ordinal));
        Assert.Equal(VecDot.IsAvxVnniSupported, path.EndsWith("+ AVX-VNNI", StringComparison.Ordinal));
        Assert.Equal(!VecDot.IsSimdSupported && !Vector128.IsHardwareAccelerated, path == "scalar");
    }

    /// <summary>The K-quant kernels' scaled sums: acc + pair products of 16-bit lanes, wrapping modulo 2^32 on either path.</summary>
    [Fact]
    public void AddPairProducts_AddsPairProductsPerLane_WrappingLikeVpmaddwd()
    {
        Assert.SkipUnless(VecDot.IsSimdSupported, "AVX2/FMA not available.");
        var a = new short[16];
        var b = new short[16];
        var acc = new int[8];
        var random = new Random(6);
        for (var trial = 0; trial < 1000; trial++)
        {
            for (var i = 0; i < 16; i++)
            {
                a[i] = trial == 0 ? short.MinValue : (short)random.Next(short.MinValue, short.MaxValue + 1);
                b[i] = trial == 0 ? short.MinValue : (short)random.Next(short.MinValue, short.MaxValue + 1);
            }

            for (var l = 0; l < 8; l++)
            {
                acc[l] = trial == 0 ? 1 : random.Next();
            }

            var sums = VecDot.AddPairProducts(Vector256.Create(acc), Vector256.Create(a), Vector256.Create(b));
            for (var l = 0; l < 8; l++)
            {
                var expected = unchecked(acc[l] + (a[2 * l] * b[2 * l]) + (a[(2 * l) + 1] * b[(2 * l) + 1]));
                Assert.Equal(expected, sums.GetElement(l));
            }
        }
    }

    /// <summary>
    /// Proof that the AVX-VNNI path really runs where the CPU reports it: vpdpbusd sums 255 · −128 four times exactly, where
    /// vpmaddubsw would saturate each pair at −32 768. Skipped on CPUs without AVX-VNNI; tests/x64/run-with-avx-vnni.sh runs
    /// this project with it on CPUs that implement but do not report it (Sapphire/Emerald Rapids virtual machines).
    /// </summary>
    [Fact]
    public void SumsOfFour_WithAvxVnni_UsesVpdpbusd()
    {
        Assert.SkipUnless(VecDot.IsAvxVnniSupported, "This CPU does not report AVX-VNNI (tests/x64/run-with-avx-vnni.sh).");
        var sums = VecDot.SumsOfFour(Vector256.Create((byte)255), Vector256.Create((sbyte)-128));
        Assert.Equal(Vector256.Create(4 * 255 * -128), sums);
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.BF16)]
    public void SelectBatch_SimdAndScalar_AgreeBitForBit(GgmlType type)
    {
        Assert.SkipUnless(VecDot.IsSimdSupported, "AVX2/FMA not available: only the scalar kernels run here.");
        foreach (var n in type == GgmlType.BF16 ? new[] { 32, 64, 96, 256, 1024 } : new[] { 16, 32, 48, 64, 256, 1008 })
        {
            var simd = VecDot.SelectBatch(type, 4, n);
            var scalar = VecDot.SelectBatch(type, 4, n, scalar: true);
            Assert.True(VecDot.UsesTinyBlasOrder(type, 4, n));
            var (w, x) = Prepare(type, n, seed: n);
            fixed (byte* wp = w)
            {
                Assert.Equal(scalar(wp, x.Row(0), n), simd(wp, x.Row(0), n));
            }
        }
    }

    /// <summary>
    /// Each kernel equals the exact dot product of the dequantized weights and converted activations up to float
    /// accumulation: one rounding per block scale (d_w·d_x) and per FMA, so the error stays within a few ulps of the
    /// sum of |products| times the number of accumulation steps; 1e-6 relative to Σ|w·x| bounds it with margin.
    /// </summary>
    [Theory]
    [MemberData(nameof(WeightTypes))]
    public void Select_Kernels_MatchDequantizedDotProduct(GgmlType type)
    {
        foreach (var (scalar, batch) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            foreach (var n in KernelTestData.Lengths(type))
            {
                var kernel = batch ? VecDot.SelectBatch(type, 4, n, scalar) : VecDot.Select(type, scalar);
                var (w, x) = Prepare(type, n, seed: 7 * n);
                var wf = new float[n];
                var xf = new float[n];
                Dequantizer.DequantizeRow(type, w.AsSpan(0, (int)GgmlTypeInfo.RowBytes(type, n)), wf);
                ActivationValues(x, xf);
                double exact = 0, magnitude = 0;
                for (var i = 0; i < n; i++)
                {
                    exact += (double)wf[i] * xf[i];
                    magnitude += Math.Abs((double)wf[i] * xf[i]);
                }

                fixed (byte* wp = w)
                {
                    var got = kernel(wp, x.Row(0), n);
                    Assert.True(Math.Abs(got - exact) <= (1e-6 * magnitude) + 1e-30, $"{type} n={n} scalar={scalar} batch={batch}: {got} vs {exact} (Σ|wx| {magnitude})");
                }
            }
        }
    }

    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q5_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.Q6_K)]
    public void SelectRows4_EqualsOneRowKernelOnEachRow(GgmlType type)
    {
        Assert.SkipUnless(VecDot.IsSimdSupported, "AVX2/FMA not available: no four-row kernels.");
        var rows4 = VecDot.SelectRows4(type);
        var one = VecDot.Select(type, scalar: true);
        foreach (var n in KernelTestData.Lengths(type))
        {
            var rowBytes = (int)GgmlTypeInfo.RowBytes(type, n);
            var w = KernelTestData.QuantizeRows(type, KernelTestData.RandomFloats(4 * n, n, 0.5f), 4, n);
            var x = new ActivationBuffer(n, 1);
            x.Load(type, KernelTestData.RandomFloats(n, n + 1), 1, n);
            var y = new float[4];
            fixed (byte* wp = w)
            fixed (float* yp = y)
            {
                rows4(wp, rowBytes, x.Row(0), n, yp);
                for (var r = 0; r < 4; r++)
                {
                    Assert.Equal(one(wp + (r * rowBytes), x.Row(0), n), y[r]);
                }
            }
        }
    }

    /// <summary>
    /// Every four-row kernel (AVX2 and, where the CPU has it, AVX-512) against the scalar twin on each row, with raw random
    /// weight bytes (every quant and scale value, extremes included; only the F16 block scales kept finite).
    /// </summary>
    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q5_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.Q6_K)]
    public void Rows4Kernels_RawRandomWeights_EqualScalarTwinBitForBit(GgmlType type)
    {
        Assert.SkipUnless(VecDot.IsSimdSupported, "AVX2/FMA not available: no four-row kernels.");
        var kernels = Rows4KernelPointers(type);
        var scalar = VecDot.Select(type, scalar: true);
        foreach (var n in KernelTestData.Lengths(type))
        {
            var rowBytes = (int)GgmlTypeInfo.RowBytes(type, n);
            for (var seed = 0; seed < 3; seed++)
            {
                var w = KernelTestData.RawBlocks(type, 4, n, seed);
                var x = new ActivationBuffer(n, 1);
                x.Load(type, KernelTestData.RandomFloats(n, seed + 50, 3f), 1, n);
                var y = new float[4];
                fixed (byte* wp = w)
                fixed (float* yp = y)
                {
                    foreach (var (name, pointer) in kernels)
                    {
                        var kernel = (delegate*<byte*, long, byte*, int, float*, void>)pointer;
                        kernel(wp, rowBytes, x.Row(0), n, yp);
                        for (var r = 0; r < 4; r++)
                        {
                            var expected = scalar(wp + (r * rowBytes), x.Row(0), n);
                            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(y[r]), $"{name} n={n} seed={seed} row {r}: {y[r]:R} vs scalar {expected:R}");
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The 4×4 batch kernels (four weight rows × four activation rows) equal the scalar twin on every output, bit for bit:
    /// quantized weights and raw random weight bytes, strided outputs.
    /// </summary>
    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q5_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.Q6_K)]
    public void SelectRows4x4_EqualsScalarTwinOnEveryOutputBitForBit(GgmlType type)
    {
        var kernel = VecDot.SelectRows4x4(type);
        Assert.SkipWhen(kernel == null, $"No 4×4 kernel for {type} on this CPU.");
        Assert.True(VecDot.SelectRows4x4(type, scalar: true) == null);
        foreach (var n in KernelTestData.Lengths(type))
        {
            for (var seed = 0; seed < 2; seed++)
            {
                var w = seed == 0
                    ? KernelTestData.QuantizeRows(type, KernelTestData.RandomFloats(4 * n, n + seed, 0.5f), 4, n)
                    : KernelTestData.RawBlocks(type, 4, n, n);
                var x = new ActivationBuffer(n, 4);
                x.Load(type, KernelTestData.RandomFloats(4 * n, (3 * n) + seed, 3f), 4, n);
                AssertBatchKernelEqualsScalar(kernel, type, w, x, firstRow: 0, rowStep: 1, activationRows: 4, n, yStride: 7, $"{type} n={n} seed={seed}");
            }
        }
    }

    [Fact]
    public void SelectRows4x4_TypesWithoutBatchKernel_ReturnNull()
    {
        Assert.True(VecDot.SelectRows4x4(GgmlType.F32) == null);
        Assert.True(VecDot.SelectRows4x4(GgmlType.Q4_0) == null);
    }

    private static List<(string Name, nint Kernel)> Rows4KernelPointers(GgmlType type)
    {
        var list = new List<(string, nint)>();
        switch (type)
        {
            case GgmlType.Q8_0:
                list.Add(("Q8_0Rows4Simd", (nint)(delegate*<byte*, long, byte*, int, float*, void>)&VecDot.Q8_0Rows4Simd));
                break;
            case GgmlType.Q5_0:
                list.Add(("Q5_0Rows4Simd", (nint)(delegate*<byte*, long, byte*, int, float*, void>)&VecDot.Q5_0Rows4Simd));
                break;
            case GgmlType.Q4_K:
                list.Add(("Q4KRows4Simd", (nint)(delegate*<byte*, long, byte*, int, float*, void>)&VecDot.Q4KRows4Simd));
                if (VecDot.IsAvx512Supported)
                {
                    list.Add(("Q4KRows4Avx512", (nint)(delegate*<byte*, long, byte*, int, float*, void>)&VecDot.Q4KRows4Avx512));
                }

                break;
            case GgmlType.Q5_K:
                list.Add(("Q5KRows4Simd", (nint)(delegate*<byte*, long, byte*, int, float*, void>)&VecDot.Q5KRows4Simd));
                break;
            case GgmlType.Q6_K:
                list.Add(("Q6KRows4Simd", (nint)(delegate*<byte*, long, byte*, int, float*, void>)&VecDot.Q6KRows4Simd));
                if (VecDot.IsAvx512Supported)
                {
                    list.Add(("Q6KRows4Avx512", (nint)(delegate*<byte*, long, byte*, int, float*, void>)&VecDot.Q6KRows4Avx512));
                }

                break;
        }

        return list;
    }

    [Theory]
    [InlineData(GgmlType.F32, 4, 12)]
    [InlineData(GgmlType.F32, 4, 8)]
    [InlineData(GgmlType.F16, 6, 16)]
    [InlineData(GgmlType.BF16, 4, 16)]
    [InlineData(GgmlType.Q8_0, 4, 64)]
    public void UsesTinyBlasOrder_OutsideTinyBlasConditions_IsFalse(GgmlType type, int rows, int cols)
    {
        Assert.False(VecDot.UsesTinyBlasOrder(type, rows, cols));
    }

    [Fact]
    public void Q4_0Interleaved_SimdScalarFourRows_AgreeBitForBit_AndMatchDequantizedProduct()
    {
        var simd = VecDot.SelectQ4_0Interleaved();
        var scalar = VecDot.SelectQ4_0Interleaved(scalar: true);
        foreach (var n in KernelTestData.Lengths(GgmlType.Q4_0))
        {
            var rowBytes = (int)GgmlTypeInfo.RowBytes(GgmlType.Q4_0, n);
            var w = KernelTestData.QuantizeRows(GgmlType.Q4_0, KernelTestData.RandomFloats(4 * n, n, 0.5f), 4, n);
            var x = new ActivationBuffer(n, 1);
            x.Load(GgmlType.Q4_0, KernelTestData.RandomFloats(n, n + 1, 3f), 1, n);
            var xs = new float[n];
            ActivationValues(x, xs);
            var wf = new float[n];
            var y = new float[4];
            fixed (byte* wp = w)
            fixed (float* yp = y)
            {
                if (VecDot.IsSimdSupported)
                {
                    VecDot.Q4_0InterleavedRows4Simd(wp, rowBytes, x.Row(0), n, yp);
                }

                for (var r = 0; r < 4; r++)
                {
                    var one = scalar(wp + (r * rowBytes), x.Row(0), n);
                    Assert.Equal(one, simd(wp + (r * rowBytes), x.Row(0), n));
                    if (VecDot.IsSimdSupported)
                    {
                        Assert.Equal(one, y[r]);
                    }

                    Dequantizer.DequantizeRow(GgmlType.Q4_0, w.AsSpan(r * rowBytes, rowBytes), wf);
                    double exact = 0, magnitude = 0;
                    for (var i = 0; i < n; i++)
                    {
                        exact += (double)wf[i] * xs[i];
                        magnitude += Math.Abs((double)wf[i] * xs[i]);
                    }

                    Assert.True(Math.Abs(one - exact) <= 1e-6 * magnitude, $"n={n} row {r}: {one} vs {exact}");
                }
            }
        }
    }

    /// <summary>
    /// Both widths of <c>VecDot.WidenHalves</c> (512-bit for the sixteen-row kernels, 256-bit for the AVX2 eight-row ones)
    /// equal the scalar table on every F16 value, bit for bit.
    /// </summary>
    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void WidenHalves_EqualsScalarWideningBitForBit_ForEveryF16Value(int width)
    {
        if (width == 16)
        {
            Assert.SkipUnless(Vector512.IsHardwareAccelerated, "This machine has no 512-bit vectors; the sixteen-row kernels that widen scales this way are not used here.");
        }
        else
        {
            Assert.SkipUnless(VecDot.IsSimdSupported, "AVX2/FMA not available: the eight-row kernels that widen scales this way are not used here.");
        }

        var lanes = new int[width];
        var widened = new float[width];
        for (var first = 0; first <= ushort.MaxValue; first += width)
        {
            for (var i = 0; i < width; i++)
            {
                lanes[i] = first + i;
            }

            if (width == 16)
            {
                VecDot.WidenHalves(Vector512.Create(lanes)).CopyTo(widened);
            }
            else
            {
                VecDot.WidenHalves(Vector256.Create(lanes)).CopyTo(widened);
            }

            for (var i = 0; i < width; i++)
            {
                // A NaN keeps its payload; whether it is quiet does not matter, as every float operation on it makes it so.
                var expected = BitConverter.SingleToInt32Bits(Float16.ToSingle((ushort)(first + i)));
                var actual = BitConverter.SingleToInt32Bits(widened[i]);
                var quietBit = float.IsNaN(widened[i]) ? 0x00400000 : 0;
                Assert.True(
                    (expected | quietBit) == (actual | quietBit),
                    $"width {width}, F16 0x{first + i:X4}: expected bits 0x{expected:X8}, got 0x{actual:X8}");
            }
        }
    }

    /// <summary>
    /// F16 scales the quantizer never writes but a file may hold: zeros, subnormals, negatives, the largest finite value, an
    /// infinity and a NaN (rows that hold them give infinity or NaN, as the scalar path does).
    /// </summary>
    private static readonly ushort[] UnusualScales = [0x0000, 0x8000, 0x0001, 0x03FF, 0x8201, 0x0400, 0xBC00, 0x7BFF, 0xFBFF, 0x3555, 0x7C00, 0xFE01];

    /// <summary>The edges of what <see cref="NormalScales"/> takes: both zeros, the smallest and largest normals of both signs.</summary>
    private static readonly ushort[] NormalOrZeroScales = [0x0000, 0x8000, 0x0400, 0x8400, 0x7BFF, 0xFBFF, 0xBC00, 0x3555, 0x0401, 0x3C00];

    /// <summary>
    /// <see cref="NormalScales"/> (the short widening for matrices without subnormal, infinite or NaN scales) equals the scalar
    /// table bit for bit on every normal F16 value and both zeros, at both widths.
    /// </summary>
    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void NormalScales_EqualScalarWideningBitForBit_ForEveryNormalF16ValueAndZero(int width)
    {
        Assert.SkipUnless(
            width == 16 ? VecDot.IsAvx512Supported : VecDot.IsSimdSupported,
            "The kernels that widen scales this way are not used on this machine.");
        var values = Enumerable.Range(0, 65536).Select(i => (ushort)i)
            .Where(h => (h & 0x7FFF) == 0 || ((h & 0x7C00) != 0 && (h & 0x7C00) != 0x7C00)).ToArray();
        Assert.Equal(2 + (2 * 30 * 1024), values.Length);
        var widened = new float[width];
        for (var first = 0; first < values.Length; first += width)
        {
            var lanes = new ushort[width];
            for (var i = 0; i < width; i++)
            {
                lanes[i] = values[Math.Min(first + i, values.Length - 1)];
            }

            if (width == 16)
            {
                NormalScales.Widen(Vector256.Create(lanes)).CopyTo(widened);
            }
            else
            {
                NormalScales.Widen(Vector128.Create(lanes)).CopyTo(widened);
            }

            for (var i = 0; i < width; i++)
            {
                var expected = BitConverter.SingleToInt32Bits(Float16.ToSingle(lanes[i]));
                var actual = BitConverter.SingleToInt32Bits(widened[i]);
                Assert.True(expected == actual, $"width {width}, F16 0x{lanes[i]:X4}: expected bits 0x{expected:X8}, got 0x{actual:X8}");
            }
        }
    }

    /// <summary>
    /// <see cref="NormalScales.AllNormalOrZero"/> finds one subnormal, infinite or NaN scale wherever it sits, reads only scales (the
    /// other bytes of a block may be anything), and accepts normal values and zeros.
    /// </summary>
    [Fact]
    public void NormalScalesAllNormalOrZero_FindsAnySpecialScale_AndAcceptsNormalsAndZeros()
    {
        const int Blocks = 70;
        var data = new byte[Blocks * 18];
        new Random(5).NextBytes(data);
        for (var b = 0; b < Blocks; b++)
        {
            BitConverter.TryWriteBytes(data.AsSpan(b * 18, 2), NormalOrZeroScales[b % NormalOrZeroScales.Length]);
        }

        fixed (byte* p = data)
        {
            Assert.True(NormalScales.AllNormalOrZero(p, Blocks, 18));
            foreach (var special in new ushort[] { 0x0001, 0x83FF, 0x0200, 0x7C00, 0xFC00, 0x7E00, 0xFFFF, 0x7C01 })
            {
                foreach (var at in new[] { 0, 1, 35, Blocks - 1 })
                {
                    var saved = BitConverter.ToUInt16(data, at * 18);
                    BitConverter.TryWriteBytes(data.AsSpan(at * 18, 2), special);
                    Assert.False(NormalScales.AllNormalOrZero(p, Blocks, 18), $"0x{special:X4} in block {at}");
                    Assert.True(NormalScales.AllNormalOrZero(p, at, 18), $"0x{special:X4} just past the {at} blocks checked");
                    BitConverter.TryWriteBytes(data.AsSpan(at * 18, 2), saved);
                }
            }
        }
    }

    private static bool SameFloat(float expected, float actual) =>
        BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual) || (float.IsNaN(expected) && float.IsNaN(actual));

    /// <summary>
    /// The AVX2 eight-row Q4_0 kernels (interleaved order, chosen where there is no AVX-512: mat-vec and 8×4 batch) equal the
    /// scalar path on every output, bit for bit: quantized weights with unusual F16 scales, and raw random blocks (every nibble pattern, so the 16-bit
    /// reduction meets its largest sums), a row stride larger than a row.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Q4_0InterleavedRows8Kernels_EqualScalarPerRow_IncludingUnusualScalesAndRawBlocks(bool normalScales)
    {
        Assert.SkipUnless(VecDot.IsSimdSupported, "AVX2/FMA not available: no eight-row kernel.");
        var scalar = VecDot.SelectQ4_0Interleaved(scalar: true);
        var unusual = normalScales ? NormalOrZeroScales : UnusualScales;
        const int Rows = 8;
        foreach (var n in KernelTestData.Lengths(GgmlType.Q4_0))
        {
            var rowBytes = (int)GgmlTypeInfo.RowBytes(GgmlType.Q4_0, n);
            var stride = rowBytes + 36;
            for (var seed = 0; seed < 3; seed++)
            {
                var rows = seed == 0
                    ? KernelTestData.QuantizeRows(GgmlType.Q4_0, KernelTestData.RandomFloats(Rows * n, n, 0.5f), Rows, n)
                    : KernelTestData.RawBlocks(GgmlType.Q4_0, Rows, n, n + 11);
                if (seed == 2)
                {
                    // The largest sums: every nibble 15 against activations of ±127 (one sign per block).
                    for (var block = 0; block < Rows * (n / 32); block++)
                    {
                        rows.AsSpan((block * 18) + 2, 16).Fill(0xFF);
                    }
                }

                if (seed != 0 && normalScales)
                {
                    // Raw blocks' scales are random bits; the short widening is only chosen for normal ones.
                    for (var block = 0; block < Rows * (n / 32); block++)
                    {
                        var h = BitConverter.ToUInt16(rows, block * 18);
                        BitConverter.TryWriteBytes(rows.AsSpan(block * 18, 2), (ushort)((h & 0x83FF) | 0x2C00));
                    }
                }

                if (seed == 0)
                {
                    for (var k = 0; k < unusual.Length; k++)
                    {
                        var block = (k * 5) % (Rows * (n / 32));
                        BitConverter.TryWriteBytes(rows.AsSpan(block * 18, 2), unusual[k]);
                    }
                }

                var w = new byte[Rows * stride];
                for (var r = 0; r < Rows; r++)
                {
                    rows.AsSpan(r * rowBytes, rowBytes).CopyTo(w.AsSpan(r * stride));
                }

                var activations = seed == 2
                    ? Enumerable.Range(0, 4 * n).Select(i => (i / 32) % 2 == 0 ? 1.5f : -1.5f).ToArray()
                    : KernelTestData.RandomFloats(4 * n, n + seed + 1, 3f);
                var x = new ActivationBuffer(n, 4);
                x.Load(GgmlType.Q4_0, activations, 4, n);
                const int YStride = 11;
                var y = new float[Rows];
                var y4 = new float[4 * YStride];
                fixed (byte* wp = w)
                fixed (float* yp = y, y4p = y4)
                {
                    if (normalScales)
                    {
                        VecDot.Q4_0InterleavedRows8Simd<NormalScales>(wp, stride, x.Row(0), x.NibbleOffsets(0), n, yp);
                        VecDot.Q4_0InterleavedRows8x4Simd<NormalScales>(wp, stride, x.Row(0), x.RowStride, x.NibbleOffsets(0), x.NibbleOffsetsStride, n, y4p, YStride);
                    }
                    else
                    {
                        VecDot.Q4_0InterleavedRows8Simd<AnyScales>(wp, stride, x.Row(0), x.NibbleOffsets(0), n, yp);
                        VecDot.Q4_0InterleavedRows8x4Simd<AnyScales>(wp, stride, x.Row(0), x.RowStride, x.NibbleOffsets(0), x.NibbleOffsetsStride, n, y4p, YStride);
                    }
                    for (var r = 0; r < Rows; r++)
                    {
                        for (var j = 0; j < 4; j++)
                        {
                            var expected = scalar(wp + (r * stride), x.Row(j), n);
                            var got = y4[(j * YStride) + r];
                            Assert.True(SameFloat(expected, got), $"8x4 n={n} seed={seed} x{j} row {r}: {got:R} vs scalar {expected:R}");
                            if (j == 0)
                            {
                                Assert.True(SameFloat(expected, y[r]), $"n={n} seed={seed} row {r}: {y[r]:R} vs scalar {expected:R}");
                            }
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Q4_0InterleavedRows16Avx512_EqualsScalarPerRowAndPerActivationRow_IncludingUnusualScales(bool normalScales)
    {
        if (!VecDot.IsAvx512Supported)
        {
            Assert.Skip("This machine has no AVX-512BW; the sixteen-row kernels are not used here.");
        }

        var scalar = VecDot.SelectQ4_0Interleaved(scalar: true);
        var unusual = normalScales ? NormalOrZeroScales : UnusualScales;
        foreach (var n in KernelTestData.Lengths(GgmlType.Q4_0))
        {
            const int Rows = 16;
            var rowBytes = (int)GgmlTypeInfo.RowBytes(GgmlType.Q4_0, n);
            var w = KernelTestData.QuantizeRows(GgmlType.Q4_0, KernelTestData.RandomFloats(Rows * n, n, 0.5f), Rows, n);
            for (var k = 0; k < unusual.Length; k++)
            {
                var block = (k * 7) % (Rows * (n / 32));
                BitConverter.TryWriteBytes(w.AsSpan(block * 18, 2), unusual[k]);
            }

            var x = new ActivationBuffer(n, 8);
            x.Load(GgmlType.Q4_0, KernelTestData.RandomFloats(8 * n, n + 1, 3f), 8, n);
            var y = new float[Rows];
            var y4 = new float[4 * Rows];
            var y8 = new float[8 * Rows];
            fixed (byte* wp = w)
            fixed (float* yp = y, y4p = y4, y8p = y8)
            {
                if (normalScales)
                {
                    VecDot.Q4_0InterleavedRows16Avx512<NormalScales>(wp, rowBytes, x.Row(0), x.NibbleOffsets(0), n, yp);
                    VecDot.Q4_0InterleavedRows16x4Avx512<NormalScales>(wp, rowBytes, x.Row(0), x.RowStride, x.NibbleOffsets(0), x.NibbleOffsetsStride, n, y4p, Rows);
                    VecDot.Q4_0InterleavedRows16x8Avx512<NormalScales>(wp, rowBytes, x.Row(0), x.RowStride, x.NibbleOffsets(0), x.NibbleOffsetsStride, n, y8p, Rows);
                }
                else
                {
                    VecDot.Q4_0InterleavedRows16Avx512<AnyScales>(wp, rowBytes, x.Row(0), x.NibbleOffsets(0), n, yp);
                    VecDot.Q4_0InterleavedRows16x4Avx512<AnyScales>(wp, rowBytes, x.Row(0), x.RowStride, x.NibbleOffsets(0), x.NibbleOffsetsStride, n, y4p, Rows);
                    VecDot.Q4_0InterleavedRows16x8Avx512<AnyScales>(wp, rowBytes, x.Row(0), x.RowStride, x.NibbleOffsets(0), x.NibbleOffsetsStride, n, y8p, Rows);
                }
                for (var r = 0; r < Rows; r++)
                {
                    Assert.Equal(scalar(wp + (r * rowBytes), x.Row(0), n), y[r]);
                    for (var j = 0; j < 4; j++)
                    {
                        Assert.Equal(scalar(wp + (r * rowBytes), x.Row(j), n), y4[(j * Rows) + r]);
                    }

                    for (var j = 0; j < 8; j++)
                    {
                        Assert.Equal(scalar(wp + (r * rowBytes), x.Row(j), n), y8[(j * Rows) + r]);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void Q8_0BatchKernelsAvx512_EqualScalarOnEveryPair_IncludingExtremeWeights(int activationRows)
    {
        if (!VecDot.IsAvx512Supported)
        {
            Assert.Skip("This machine has no AVX-512BW; the 512-bit Q8_0 batch kernels are not used here.");
        }

        foreach (var n in KernelTestData.Lengths(GgmlType.Q8_0))
        {
            const int Rows = 4;
            var rowBytes = (int)GgmlTypeInfo.RowBytes(GgmlType.Q8_0, n);
            var w = KernelTestData.QuantizeRows(GgmlType.Q8_0, KernelTestData.RandomFloats(Rows * n, n, 0.5f), Rows, n);
            // Quantized weights a file may hold beyond what the quantizer writes: -128, and zeros.
            w[2] = 0x80;
            w[rowBytes + 5] = 0x80;
            w[(2 * rowBytes) + 7] = 0;
            var x = new ActivationBuffer(n, activationRows);
            x.Load(GgmlType.Q8_0, KernelTestData.RandomFloats(activationRows * n, n + 1, 3f), activationRows, n);
            var y = new float[activationRows * Rows];
            fixed (byte* wp = w)
            fixed (float* yp = y)
            {
                if (activationRows == 8)
                {
                    VecDot.Q8_0Rows4x8Avx512(wp, rowBytes, x.Row(0), x.RowStride, n, yp, Rows);
                }
                else
                {
                    VecDot.Q8_0Rows4x4Avx512(wp, rowBytes, x.Row(0), x.RowStride, n, yp, Rows);
                }

                for (var r = 0; r < Rows; r++)
                {
                    for (var j = 0; j < activationRows; j++)
                    {
                        Assert.Equal(VecDot.Q8_0Scalar(wp + (r * rowBytes), x.Row(j), n), y[(j * Rows) + r]);
                    }
                }
            }
        }
    }

    /// <summary>
    /// ggml_vec_dot_q5_0_q8_0's results (float bits) from llama.cpp's own binaries on <see cref="LlamaCppHarnessRandom"/>'s
    /// raw random Q5_0 rows and activations quantized by its quantize_row_q8_0: node-llama-cpp 3.22.1's libggml-cpu for
    /// haswell (AVX2), icelake and zen4 (AVX-512) gave the same bits. The activations must quantize to the same bytes, and
    /// the scalar twin, the AVX2 and the 128-bit kernels must give llama.cpp's result exactly.
    /// </summary>
    [Fact]
    public void Q5_0Kernels_EqualLlamaCppVecDotBitForBit()
    {
        uint[] expected =
        [
            0xBF409668, 0xBE68D326, 0xBE046235, 0xBFD19693, 0x3EB56B36, 0x401A595F, 0xBE29DFB8, 0xBFE61212, 0x403AC6EB, 0xBFC705B6,
            0x3FA99EF6, 0x3F0D044E, 0xBFDECC6E, 0xBFB28045, 0xBF85FDA2, 0xBF9741B4, 0xBFBE9D74, 0xC04B627E, 0x406E409C, 0x3FB08CCD,
            0x3FD38F54, 0x3F836358, 0x4039CD1A, 0xBF1F7D66, 0xBFB4AF14, 0x3E9FFFC4, 0x40319B28, 0xC00B6B7A, 0x3CD9E400, 0xBFC4FB9F,
            0xBF977C51, 0x4021ABBA, 0xC0FFEABA, 0xBFCB2DA9, 0x3FCA0B8B, 0xC119CC00, 0xC0B2A7DB, 0xBEE69324, 0x410DC42E, 0xC01FA58E,
        ];
        var random = new LlamaCppHarnessRandom();
        _ = random.QuantizerInput();
        var k = 0;
        foreach (var (n, weights, activations) in random.VecDotCases())
        {
            var x = new ActivationBuffer(n, 1);
            x.Load(GgmlType.Q5_0, activations, 1, n);
            fixed (byte* wp = weights)
            {
                var kernels = new List<(string Name, float Value)>
                {
                    ("scalar", VecDot.Q5_0Scalar(wp, x.Row(0), n)),
                    ("portable", VecDot.Q5_0Portable(wp, x.Row(0), n)),
                };
                if (VecDot.IsSimdSupported)
                {
                    kernels.Add(("AVX2", VecDot.Q5_0Simd(wp, x.Row(0), n)));
                }

                foreach (var (name, value) in kernels)
                {
                    Assert.True(expected[k] == (uint)BitConverter.SingleToInt32Bits(value), $"{name} n={n}: {value:R} vs llama.cpp {BitConverter.UInt32BitsToSingle(expected[k]):R}");
                }
            }

            k++;
        }

        Assert.Equal(expected.Length, k);
    }

    /// <summary>Both Q5_0 batch kernels (AVX2 and, where the CPU has it, AVX-512) on raw random blocks, against the scalar twin.</summary>
    [Fact]
    public void Q5_0Rows4x4Kernels_RawRandomWeights_EqualScalarTwinBitForBit()
    {
        Assert.SkipUnless(VecDot.IsSimdSupported, "AVX2/FMA not available: no 4×4 kernels.");
        var kernels = new List<(string Name, nint Kernel)> { ("Q5_0Rows4x4Simd", (nint)(delegate*<byte*, long, byte*, long, int, float*, long, void>)&VecDot.Q5_0Rows4x4Simd) };
        if (VecDot.IsAvx512Supported)
        {
            kernels.Add(("Q5_0Rows4x4Avx512", (nint)(delegate*<byte*, long, byte*, long, int, float*, long, void>)&VecDot.Q5_0Rows4x4Avx512));
        }

        foreach (var n in KernelTestData.Lengths(GgmlType.Q5_0))
        {
            var w = KernelTestData.RawBlocks(GgmlType.Q5_0, 4, n, n + 3);
            var x = new ActivationBuffer(n, 4);
            x.Load(GgmlType.Q5_0, KernelTestData.RandomFloats(4 * n, n + 5, 3f), 4, n);
            foreach (var (name, pointer) in kernels)
            {
                var kernel = (delegate*<byte*, long, byte*, long, int, float*, long, void>)pointer;
                AssertBatchKernelEqualsScalar(kernel, GgmlType.Q5_0, w, x, firstRow: 0, rowStep: 1, activationRows: 4, n, yStride: 4, $"{name} n={n}");
            }
        }
    }

    /// <summary>
    /// The AVX2 K-quant 4×4 batch kernels (Q4_K and Q6_K chosen on CPUs without AVX-512, so <see cref="SelectRows4x4_EqualsScalarTwinOnEveryOutputBitForBit"/>
    /// does not reach them on one that has it) equal the scalar twin on every output, bit for bit: quantized weights and raw
    /// random weight bytes (every nibble, 6-bit quant, scale and min pattern), activation rows spread apart by a stride
    /// larger than a row, strided outputs.
    /// </summary>
    [Theory]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.Q6_K)]
    public void KQuantRows4x4SimdKernels_EqualScalarTwinBitForBit(GgmlType type)
    {
        Assert.SkipUnless(VecDot.IsSimdSupported, "AVX2/FMA not available: no 4×4 kernels.");
        delegate*<byte*, long, byte*, long, int, float*, long, void> kernel = type switch
        {
            GgmlType.Q4_K => &VecDot.Q4KRows4x4Simd,
            GgmlType.Q5_K => &VecDot.Q5KRows4x4Simd,
            _ => &VecDot.Q6KRows4x4Simd,
        };
        foreach (var n in KernelTestData.Lengths(type))
        {
            for (var seed = 0; seed < 3; seed++)
            {
                var w = seed == 0
                    ? KernelTestData.QuantizeRows(type, KernelTestData.RandomFloats(4 * n, n + seed, 0.5f), 4, n)
                    : KernelTestData.RawBlocks(type, 4, n, n + seed);
                var x = new ActivationBuffer(n, 8);
                x.Load(type, KernelTestData.RandomFloats(8 * n, (5 * n) + seed, 3f), 8, n);
                // Activation rows 1, 3, 5 and 7 of the buffer: a stride of two rows.
                AssertBatchKernelEqualsScalar(kernel, type, w, x, firstRow: 1, rowStep: 2, activationRows: 4, n, yStride: 9, $"{type} n={n} seed={seed}");
            }
        }
    }

    [Fact]
    public void SelectRows4x8_OnlyQ8_0Q5_0Q4KQ6KWithAvx512_AndNeverScalar()
    {
        foreach (var type in new[] { GgmlType.Q8_0, GgmlType.Q5_0, GgmlType.Q4_K, GgmlType.Q6_K })
        {
            Assert.True(VecDot.SelectRows4x8(type, scalar: true) == null);
            Assert.Equal(VecDot.IsAvx512Supported, VecDot.SelectRows4x8(type) != null);
        }

        Assert.True(VecDot.SelectRows4x8(GgmlType.Q5_K) == null);
        Assert.True(VecDot.SelectRows4x8(GgmlType.Q4_0) == null);
    }

    /// <summary>
    /// The 4×8 batch kernels (four weight rows × eight activation rows) equal the scalar twin on every output, bit for bit:
    /// quantized weights and raw random weight bytes (every nibble, 6-bit quant and scale pattern), strided outputs, and
    /// activation rows spread apart by a stride larger than a row.
    /// </summary>
    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q5_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q6_K)]
    public void SelectRows4x8_EqualsScalarTwinOnEveryOutputBitForBit(GgmlType type)
    {
        var kernel = VecDot.SelectRows4x8(type);
        Assert.SkipWhen(kernel == null, $"No 4×8 kernel for {type} on this CPU.");
        foreach (var n in KernelTestData.Lengths(type))
        {
            for (var seed = 0; seed < 3; seed++)
            {
                var w = seed == 0
                    ? KernelTestData.QuantizeRows(type, KernelTestData.RandomFloats(4 * n, n + seed, 0.5f), 4, n)
                    : KernelTestData.RawBlocks(type, 4, n, n + seed);
                // Sixteen activation rows, the kernel reading every other one from the second: a stride of two rows.
                var x = new ActivationBuffer(n, 16);
                x.Load(type, KernelTestData.RandomFloats(16 * n, (5 * n) + seed, seed == 2 ? 100f : 3f), 16, n);
                AssertBatchKernelEqualsScalar(kernel, type, w, x, firstRow: 1, rowStep: 2, activationRows: 8, n, yStride: 11, $"{type} n={n} seed={seed}");
            }
        }
    }

    [Fact]
    public void Select_UnsupportedType_Throws()
    {
        Assert.Throws<NotSupportedException>(() => { _ = VecDot.Select(GgmlType.Q2_K); });
    }

    /// <summary>
    /// Runs a batch kernel (four weight rows of <paramref name="w"/> × <paramref name="activationRows"/> activation rows of
    /// <paramref name="x"/>, from <paramref name="firstRow"/> every <paramref name="rowStep"/>-th row, outputs
    /// <paramref name="yStride"/> floats apart) and checks every output against the scalar twin, bit for bit.
    /// </summary>
    private static void AssertBatchKernelEqualsScalar(
        delegate*<byte*, long, byte*, long, int, float*, long, void> kernel, GgmlType type, byte[] w, ActivationBuffer x,
        int firstRow, int rowStep, int activationRows, int n, int yStride, string label)
    {
        var scalar = VecDot.Select(type, scalar: true);
        var rowBytes = (int)GgmlTypeInfo.RowBytes(type, n);
        var y = new float[activationRows * yStride];
        fixed (byte* wp = w)
        fixed (float* yp = y)
        {
            kernel(wp, rowBytes, x.Row(firstRow), rowStep * x.RowStride, n, yp, yStride);
            for (var j = 0; j < activationRows; j++)
            {
                for (var i = 0; i < 4; i++)
                {
                    var expected = scalar(wp + (i * rowBytes), x.Row(firstRow + (rowStep * j)), n);
                    var got = y[(j * yStride) + i];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(got), $"{label} x{j} w{i}: {got:R} vs scalar {expected:R}");
                }
            }
        }
    }

    internal static (byte[] Weights, ActivationBuffer Activations) Prepare(GgmlType type, int n, int seed)
    {
        var w = KernelTestData.QuantizeRows(type, KernelTestData.RandomFloats(n, seed, 0.5f), 1, n);
        var x = new ActivationBuffer(n, 1);
        x.Load(type, KernelTestData.RandomFloats(n, seed + 1000, 3f), 1, n);
        return (w, x);
    }

    /// <summary>The activation values as the kernels see them (dequantized Q8_0/Q8_K blocks, or the stored floats).</summary>
    internal static void ActivationValues(ActivationBuffer x, Span<float> values)
    {
        var storedType = x.Type is GgmlType.F16 or GgmlType.BF16 ? GgmlType.F32 : x.Type;
        var bytes = new ReadOnlySpan<byte>(x.Row(0), (int)GgmlTypeInfo.RowBytes(storedType, x.Cols));
        Dequantizer.DequantizeRow(storedType, bytes, values[..x.Cols]);
    }
}
