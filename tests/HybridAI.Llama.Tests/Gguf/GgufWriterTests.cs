namespace HybridAI.Llama.Tests;

public sealed class GgufWriterTests
{
    [Fact]
    public void WriteTo_EveryScalarType_ReadsBackSameValues()
    {
        var writer = new GgufWriter();
        writer.AddUInt8("u8", 250);
        writer.AddInt8("i8", -120);
        writer.AddUInt16("u16", 65000);
        writer.AddInt16("i16", -32000);
        writer.AddUInt32("u32", 4_000_000_000);
        writer.AddInt32("i32", -2_000_000_000);
        writer.AddFloat32("f32", 1.5e-5f);
        writer.AddBool("yes", true);
        writer.AddBool("no", false);
        writer.AddString("s", "héllo → 世界 🦙");
        writer.AddString("empty", "");
        writer.AddUInt64("u64", ulong.MaxValue);
        writer.AddInt64("i64", long.MinValue);
        writer.AddFloat64("f64", Math.PI);

        using var temp = new TemporaryFile();
        writer.WriteTo(temp.Path);
        using var file = GgufFile.Open(temp.Path);
        var m = file.Metadata;

        Assert.Equal(3u, file.Version);
        Assert.Equal(14, m.Count);
        Assert.Equal(["u8", "i8", "u16", "i16", "u32", "i32", "f32", "yes", "no", "s", "empty", "u64", "i64", "f64"], m.Keys);
        Assert.Equal((byte)250, m["u8"].Value);
        Assert.Equal(GgufValueType.UInt8, m["u8"].Type);
        Assert.Equal((sbyte)-120, m["i8"].Value);
        Assert.Equal((ushort)65000, m["u16"].Value);
        Assert.Equal((short)-32000, m["i16"].Value);
        Assert.Equal(4_000_000_000u, m.GetUInt32("u32"));
        Assert.Equal(-2_000_000_000, m.GetInt32("i32"));
        Assert.Equal(1.5e-5f, m.GetFloat32("f32"));
        Assert.True(m.GetBool("yes"));
        Assert.False(m.GetBool("no"));
        Assert.Equal("héllo → 世界 🦙", m.GetString("s"));
        Assert.Equal("", m.GetString("empty"));
        Assert.Equal(ulong.MaxValue, m.GetUInt64("u64"));
        Assert.Equal(long.MinValue, m["i64"].Value);
        Assert.Equal(Math.PI, m["f64"].Value);
        Assert.Equal((float)Math.PI, m.GetFloat32("f64"));
        Assert.Equal(24, m["u8"].Offset);
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void WriteTo_EveryArrayType_ReadsBackSameElements()
    {
        var writer = new GgufWriter();
        writer.AddArray("u8", new byte[] { 0, 1, 255 });
        writer.AddArray("i8", new sbyte[] { -128, 0, 127 });
        writer.AddArray("u16", new ushort[] { 0, 65535 });
        writer.AddArray("i16", new short[] { -32768, 32767 });
        writer.AddArray("u32", new uint[] { 0, 7, uint.MaxValue });
        writer.AddArray("i32", new[] { int.MinValue, -1, int.MaxValue });
        writer.AddArray("f32", new[] { -1.25f, float.Epsilon, float.MaxValue });
        writer.AddArray("bool", new[] { true, false, true });
        writer.AddArray("str", new[] { "a", "", "ü€😀", "<0x0A>" });
        writer.AddArray("u64", new[] { 0UL, ulong.MaxValue });
        writer.AddArray("i64", new[] { long.MinValue, 5L });
        writer.AddArray("f64", new[] { 0.1, -2e300 });
        writer.AddArray("empty", Array.Empty<float>());
        writer.AddArray("nested", new[]
        {
            GgufWriter.ArrayValue(new[] { 1, 2, 3 }),
            GgufWriter.ArrayValue(Array.Empty<int>()),
            GgufWriter.ArrayValue(new[] { 4 }),
        });
        writer.AddArray("deep", new[]
        {
            GgufWriter.ArrayValue(new[] { GgufWriter.ArrayValue(new[] { "x", "y" }), GgufWriter.ArrayValue(new[] { 1.5 }) }),
        });

        using var temp = new TemporaryFile();
        writer.WriteTo(temp.Path);
        using var file = GgufFile.Open(temp.Path);
        var m = file.Metadata;

        Assert.Equal(new byte[] { 0, 1, 255 }, m["u8"].Value);
        Assert.Equal(GgufValueType.UInt8, m["u8"].ElementType);
        Assert.Equal(new sbyte[] { -128, 0, 127 }, m["i8"].Value);
        Assert.Equal(new ushort[] { 0, 65535 }, m["u16"].Value);
        Assert.Equal(new short[] { -32768, 32767 }, m["i16"].Value);
        Assert.Equal(new uint[] { 0, 7, uint.MaxValue }, m["u32"].Value);
        Assert.Equal(new[] { int.MinValue, -1, int.MaxValue }, m.GetInt32Array("i32"));
        Assert.Equal(new[] { -1.25f, float.Epsilon, float.MaxValue }, m.GetFloat32Array("f32"));
        Assert.Equal(new[] { true, false, true }, m["bool"].Value);
        Assert.Equal(new[] { "a", "", "ü€😀", "<0x0A>" }, m.GetStringArray("str"));
        Assert.Equal(new[] { 0UL, ulong.MaxValue }, m["u64"].Value);
        Assert.Equal(new[] { long.MinValue, 5L }, m["i64"].Value);
        Assert.Equal(new[] { 0.1f, (float)-2e300 }, m.GetFloat32Array("f64"));
        Assert.Empty(m.GetFloat32Array("empty"));
        Assert.Equal(3, m["u8"].ArrayLength);

        var nested = Assert.IsType<GgufValue[]>(m["nested"].Value);
        Assert.Equal(GgufValueType.Array, m["nested"].ElementType);
        Assert.Equal(3, nested.Length);
        Assert.Equal(new[] { 1, 2, 3 }, nested[0].Value);
        Assert.Empty(Assert.IsType<int[]>(nested[1].Value));
        Assert.Equal(new[] { 4 }, nested[2].Value);
        Assert.True(nested[1].Offset > nested[0].Offset);

        var deep = Assert.IsType<GgufValue[]>(Assert.Single(Assert.IsType<GgufValue[]>(m["deep"].Value)).Value);
        Assert.Equal(new[] { "x", "y" }, deep[0].Value);
        Assert.Equal(new[] { 1.5 }, deep[1].Value);
    }

    [Theory]
    [InlineData(2u, 32)]
    [InlineData(3u, 32)]
    [InlineData(3u, 1)]
    [InlineData(3u, 64)]
    [InlineData(2u, 4096)]
    public void WriteTo_TensorsOfEveryRank_ReadBackInPlaceAndAligned(uint version, int alignment)
    {
        var random = new Random(7);
        var writer = new GgufWriter(alignment) { Version = version };
        writer.AddString("general.architecture", "test");
        var shapes = new (string Name, GgmlType Type, long[] Dims)[]
        {
            ("scalar", GgmlType.F32, []),
            ("vector", GgmlType.F32, [5]),
            ("matrix", GgmlType.F16, [3, 7]),
            ("cube", GgmlType.BF16, [2, 3, 4]),
            ("hyper", GgmlType.I8, [1, 2, 3, 5]),
            ("q8", GgmlType.Q8_0, [64, 3]),
            ("q4k", GgmlType.Q4_K, [256, 2]),
            ("q6k", GgmlType.Q6_K, [512]),
            ("iq4xs", GgmlType.IQ4_XS, [256]),
        };
        var expected = new Dictionary<string, byte[]>();
        foreach (var (name, type, dims) in shapes)
        {
            var rowLength = dims.Length > 0 ? dims[0] : 1;
            var bytes = new byte[GgmlTypeInfo.RowBytes(type, rowLength) * dims.Aggregate(1L, (a, b) => a * b) / rowLength];
            random.NextBytes(bytes);
            expected[name] = bytes;
            if (name == "cube")
            {
                writer.AddTensor(name, type, dims, stream => stream.Write(bytes));
            }
            else
            {
                writer.AddTensor(name, type, dims, bytes);
            }
        }

        using var temp = new TemporaryFile();
        writer.WriteTo(temp.Path);
        using var file = GgufFile.Open(temp.Path);

        Assert.Equal(version, file.Version);
        Assert.Equal(alignment, file.Alignment);
        Assert.Equal(alignment != 32, file.Metadata.ContainsKey("general.alignment"));
        Assert.Equal(shapes.Select(s => s.Name), file.Tensors.Select(t => t.Name));
        foreach (var (name, type, dims) in shapes)
        {
            var tensor = file.GetTensor(name);
            Assert.Equal(type, tensor.Type);
            Assert.Equal(dims, tensor.Dimensions);
            Assert.Equal(dims.Aggregate(1L, (a, b) => a * b), tensor.ElementCount);
            Assert.Equal(0, tensor.DataOffset % alignment);
            Assert.Equal(expected[name], file.GetTensorBytes(tensor).ToArray());
        }

        Assert.Equal(2, file.GetTensor("q4k").RowCount);
        Assert.Equal(256, file.GetTensor("q4k").RowLength);
        Assert.Equal(1, file.GetTensor("scalar").RowLength);
    }

    [Fact]
    public void AddTensor_WrongByteCount_Throws()
    {
        var writer = new GgufWriter();

        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", GgmlType.F32, [4], new byte[15]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", GgmlType.Q8_0, [31], new byte[34]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", GgmlType.F32, [0], Array.Empty<byte>()));
    }

    [Fact]
    public void Add_DuplicateKeyOrTensor_Throws()
    {
        var writer = new GgufWriter();
        writer.AddUInt32("k", 1);
        writer.AddTensor("t", GgmlType.F32, [1], new byte[4]);

        Assert.Throws<ArgumentException>(() => writer.AddString("k", "again"));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", GgmlType.F32, [1], new byte[4]));
    }

    [Fact]
    public void Add_AlignmentKeyDisagreeingWithWriter_Throws()
    {
        Assert.Throws<ArgumentException>(() => new GgufWriter().AddUInt32("general.alignment", 64));
        Assert.Throws<ArgumentException>(() => new GgufWriter(64).AddUInt32("general.alignment", 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GgufWriter(48));
        new GgufWriter().AddUInt32("general.alignment", 32);
    }

    [Fact]
    public void WriteTo_CallbackWritesWrongLength_Throws()
    {
        var writer = new GgufWriter();
        writer.AddTensor("t", GgmlType.F32, [4], stream => stream.Write(new byte[12]));

        using var stream = new MemoryStream();
        Assert.Throws<InvalidOperationException>(() => writer.WriteTo(stream));
    }
}
