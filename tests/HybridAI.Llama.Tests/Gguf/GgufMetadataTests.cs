namespace HybridAI.Llama.Tests;

public sealed class GgufMetadataTests : IDisposable
{
    private readonly TemporaryFile _temp = new();
    private readonly GgufFile _file;

    public GgufMetadataTests()
    {
        var writer = new GgufWriter();
        writer.AddUInt8("small", 7);
        writer.AddInt64("big", 5_000_000_000);
        writer.AddInt32("negative", -3);
        writer.AddUInt64("u64", 42);
        writer.AddFloat64("double", 0.25);
        writer.AddString("text", "hi");
        writer.AddArray("u32s", new uint[] { 1, 2, 3 });
        writer.AddArray("hugeu32s", new uint[] { 1, uint.MaxValue });
        writer.AddArray("ints", new[] { 1, 2 });
        writer.AddTensor("w", GgmlType.F32, [2], new byte[8]);
        writer.WriteTo(_temp.Path);
        _file = GgufFile.Open(_temp.Path);
    }

    public void Dispose()
    {
        _file.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void GetUInt32_AnyIntegerTypeInRange_Converts()
    {
        Assert.Equal(7u, _file.Metadata.GetUInt32("small"));
        Assert.Equal(42u, _file.Metadata.GetUInt32("u64"));
        Assert.Equal(-3, _file.Metadata.GetInt32("negative"));
        Assert.Equal(5_000_000_000UL, _file.Metadata.GetUInt64("big"));
        Assert.Equal(7, _file.Metadata.GetInt32("small"));
    }

    [Fact]
    public void GetUInt32_OutOfRange_ThrowsNamingFileKeyAndOffset()
    {
        var error = Assert.Throws<GgufFormatException>(() => _file.Metadata.GetUInt32("big"));

        Assert.Equal("big", error.Field);
        Assert.Equal(_file.Metadata["big"].Offset, error.Offset);
        Assert.True(error.Offset > 0);
        Assert.Equal(_temp.Path, error.FilePath);
        Assert.StartsWith($"{_temp.Path}: big at offset {error.Offset}: ", error.Message, StringComparison.Ordinal);
        Assert.Throws<GgufFormatException>(() => _file.Metadata.GetUInt32("negative"));
        Assert.Throws<GgufFormatException>(() => _file.Metadata.GetUInt64("negative"));
        Assert.Throws<GgufFormatException>(() => _file.Metadata.GetInt32("big"));
    }

    [Fact]
    public void GetX_MissingKey_ThrowsAndTryGetReturnsFalse()
    {
        var error = Assert.Throws<GgufFormatException>(() => _file.Metadata.GetString("llama.block_count"));

        Assert.Equal("llama.block_count", error.Field);
        Assert.Equal(-1, error.Offset);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.False(_file.Metadata.TryGetUInt32("nope", out _));
        Assert.False(_file.Metadata.TryGetString("nope", out _));
        Assert.False(_file.Metadata.TryGetFloat32Array("nope", out _));
        Assert.Throws<GgufFormatException>(() => _file.Metadata["nope"]);
    }

    [Fact]
    public void GetX_WrongType_ThrowsEvenFromTryGet()
    {
        Assert.Throws<GgufFormatException>(() => _file.Metadata.GetString("small"));
        Assert.Throws<GgufFormatException>(() => _file.Metadata.TryGetString("small", out _));
        Assert.Throws<GgufFormatException>(() => _file.Metadata.GetUInt32("text"));
        Assert.Throws<GgufFormatException>(() => _file.Metadata.GetFloat32("small"));
        Assert.Throws<GgufFormatException>(() => _file.Metadata.GetBool("small"));
        Assert.Throws<GgufFormatException>(() => _file.Metadata.GetStringArray("ints"));
        Assert.Throws<GgufFormatException>(() => _file.Metadata.GetFloat32Array("ints"));
        var error = Assert.Throws<GgufFormatException>(() => _file.Metadata.GetInt32Array("text"));
        Assert.Contains("expected an array of 32-bit integers, found String", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInt32Array_UInt32Elements_ConvertsAndRangeChecks()
    {
        Assert.Equal(new[] { 1, 2, 3 }, _file.Metadata.GetInt32Array("u32s"));
        Assert.Throws<GgufFormatException>(() => _file.Metadata.GetInt32Array("hugeu32s"));
    }

    [Fact]
    public void GetFloat32_Float64Value_Converts() => Assert.Equal(0.25f, _file.Metadata.GetFloat32("double"));

    [Fact]
    public void GetInt32Array_ReturnsCopy()
    {
        _file.Metadata.GetInt32Array("ints")[0] = 99;

        Assert.Equal(1, _file.Metadata.GetInt32Array("ints")[0]);
    }

    [Fact]
    public void GetTensor_Missing_ThrowsNamingTensor()
    {
        var error = Assert.Throws<GgufFormatException>(() => _file.GetTensor("output.weight"));

        Assert.Equal("output.weight", error.Field);
        Assert.Null(_file.FindTensor("output.weight"));
    }

    [Fact]
    public void GetTensorBytes_TensorOfAnotherFileOrAfterDispose_Throws()
    {
        using var otherTemp = new TemporaryFile();
        var writer = new GgufWriter();
        writer.AddTensor("w", GgmlType.F32, [2], new byte[8]);
        writer.WriteTo(otherTemp.Path);
        var other = GgufFile.Open(otherTemp.Path);
        var tensor = other.GetTensor("w");

        Assert.Throws<ArgumentException>(() => _file.GetTensorBytes(tensor));
        other.Dispose();
        Assert.Throws<ObjectDisposedException>(() => other.GetTensorBytes(tensor));
        other.Dispose();
    }

    [Fact]
    public void Enumerate_YieldsKeysInFileOrder()
    {
        Assert.Equal(["small", "big", "negative", "u64", "double", "text", "u32s", "hugeu32s", "ints"], _file.Metadata.Select(p => p.Key));
        Assert.Equal(9, _file.Metadata.Values.Count());
    }
}
