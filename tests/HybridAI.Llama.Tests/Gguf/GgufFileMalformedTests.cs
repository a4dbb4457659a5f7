namespace HybridAI.Llama.Tests;

public sealed class GgufFileMalformedTests : IDisposable
{
    private readonly TemporaryFile _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Open_EmptyFile_ThrowsMagic() => AssertRefused([], "magic", 0, "empty");

    [Fact]
    public void Open_BadMagic_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(0, 0, magic: 0x4C4D4747).ToArray(), "magic", 0, "not a GGUF file");

    [Fact]
    public void Open_Version1_ThrowsUnsupported() =>
        AssertRefused(new RawGgufBuilder().Header(0, 0, version: 1).ToArray(), "version", 4, "version 1 is not supported");

    [Theory]
    [InlineData(0u)]
    [InlineData(4u)]
    [InlineData(0x03000000u)]
    public void Open_UnknownVersion_Throws(uint version) =>
        AssertRefused(new RawGgufBuilder().Header(0, 0, version: version).ToArray(), "version", 4, "unsupported GGUF version");

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(12)]
    [InlineData(23)]
    public void Open_TruncatedHeader_Throws(int length)
    {
        var bytes = new RawGgufBuilder().Header(0, 0).ToArray()[..length];

        AssertRefused(bytes, null, -2, "truncated");
    }

    [Fact]
    public void Open_Version2EmptyFile_Opens()
    {
        File.WriteAllBytes(_temp.Path, new RawGgufBuilder().Header(0, 0, version: 2).ToArray());

        using var file = GgufFile.Open(_temp.Path);

        Assert.Equal(2u, file.Version);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void Open_HugeKeyValueCount_ThrowsWithoutAllocating() =>
        AssertRefused(new RawGgufBuilder().Header(0, ulong.MaxValue).ToArray(), "metadata_kv_count", 16, "more than the 1048576 accepted");

    [Fact]
    public void Open_KeyValueCountLargerThanFile_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(0, 1000).KeyU32("a", 1).ToArray(), "metadata_kv_count", 16, "cannot fit");

    [Fact]
    public void Open_HugeTensorCount_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(1UL << 40, 0).ToArray(), "tensor_count", 8, "more than the 1048576 accepted");

    [Fact]
    public void Open_TensorCountLargerThanFile_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(100, 0).TensorInfo("w", GgmlType.F32, 0, 2).ToArray(), "tensor_count", 8, "cannot fit");

    [Fact]
    public void Open_HugeKeyLength_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(0, 1).U64(ulong.MaxValue - 3).U32(4).U32(1).ToArray(), "metadata key[0]", 24, "cannot fit");

    [Fact]
    public void Open_KeyLongerThanSpecAllows_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(0, 1).Str(new string('k', 70000)).U32(0).U8(1).ToArray(), "metadata key[0]", 24, "longer than");

    [Fact]
    public void Open_HugeStringValue_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(0, 1).Str("name").U32((uint)GgufValueType.String).U64(1UL << 62).ToArray(), "name", 40, "cannot fit");

    [Fact]
    public void Open_HugeArrayCount_Throws() =>
        AssertRefused(
            new RawGgufBuilder().Header(0, 1).Str("tokenizer.ggml.tokens").U32((uint)GgufValueType.Array).U32((uint)GgufValueType.String).U64(1UL << 61).Zeros(16).ToArray(),
            "tokenizer.ggml.tokens", 61, "cannot fit");

    [Fact]
    public void Open_StringArrayElementTruncated_ThrowsNamingElement() =>
        AssertRefused(
            new RawGgufBuilder().Header(0, 1).Str("toks").U32((uint)GgufValueType.Array).U32((uint)GgufValueType.String).U64(2).Str("a").U64(50).Zeros(8).ToArray(),
            "toks[1]", 61, "cannot fit");

    [Fact]
    public void Open_UnknownValueType_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(0, 1).Str("k").U32(13).U32(0).ToArray(), "k", 33, "unknown value type 13");

    [Fact]
    public void Open_UnknownArrayElementType_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(0, 1).Str("k").U32(9).U32(77).U64(0).ToArray(), "k", 37, "unknown array element type 77");

    [Fact]
    public void Open_ArraysNestedTooDeep_Throws()
    {
        var raw = new RawGgufBuilder().Header(0, 1).Str("k").U32(9);
        for (var i = 0; i < 20; i++)
        {
            raw.U32(9).U64(1);
        }

        raw.U32(4).U64(0);
        AssertRefused(raw.ToArray(), "k", -2, "nested");
    }

    [Fact]
    public void Open_BoolOutOfRange_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(0, 1).Str("flag").U32(7).U8(2).ToArray(), "flag", 40, "0 or 1");

    [Fact]
    public void Open_DuplicateKey_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(0, 2).KeyU32("a", 1).KeyU32("a", 2).ToArray(), "a", 41, "duplicate key");

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)]
    [InlineData(48u)]
    public void Open_AlignmentNotPowerOfTwo_Throws(uint alignment) =>
        AssertRefused(new RawGgufBuilder().Header(0, 1).KeyU32("general.alignment", alignment).ToArray(), "general.alignment", 24, "power of two");

    [Fact]
    public void Open_AlignmentOfWrongType_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(0, 1).Str("general.alignment").U32(8).Str("32").ToArray(), "general.alignment", 24, "expected");

    [Fact]
    public void Open_DuplicateTensorName_Throws() =>
        AssertRefused(
            new RawGgufBuilder().Header(2, 0).TensorInfo("w", GgmlType.F32, 0, 8).TensorInfo("w", GgmlType.F32, 32, 8).Align().Zeros(64).ToArray(),
            "w", 57, "duplicate tensor name");

    [Fact]
    public void Open_TooManyDimensions_Throws() =>
        AssertRefused(
            new RawGgufBuilder().Header(1, 0).TensorInfo("w", GgmlType.F32, 0, 1, 1, 1, 1, 1).Align().Zeros(32).ToArray(), "w", 33, "5 dimensions");

    [Theory]
    [InlineData(0UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 63)]
    public void Open_NonPositiveDimension_Throws(ulong dim) =>
        AssertRefused(new RawGgufBuilder().Header(1, 0).TensorInfo("w", GgmlType.F32, 0, 4, dim).Align().Zeros(32).ToArray(), "w", 45, "must be positive");

    [Fact]
    public void Open_ElementCountOverflow_Throws() =>
        AssertRefused(
            new RawGgufBuilder().Header(1, 0).TensorInfo("w", GgmlType.F32, 0, 1UL << 32, 1UL << 32).Align().Zeros(32).ToArray(), "w", 45, "overflows");

    [Fact]
    public void Open_ByteSizeOverflow_Throws() =>
        AssertRefused(
            new RawGgufBuilder().Header(1, 0).TensorInfo("w", GgmlType.F64, 0, 1UL << 31, 1UL << 31).Align().Zeros(32).ToArray(), "w", 53, "overflows");

    [Theory]
    [InlineData(4u)]
    [InlineData(5u)]
    [InlineData(31u)]
    [InlineData(36u)]
    [InlineData(0xFFFFFFFFu)]
    public void Open_UnknownTensorType_Throws(uint type) =>
        AssertRefused(new RawGgufBuilder().Header(1, 0).TensorInfo("w", (GgmlType)type, 0, 32).Align().Zeros(256).ToArray(), "w", 45, $"unknown tensor type {type}");

    [Fact]
    public void Open_RowNotMultipleOfBlockSize_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(1, 0).TensorInfo("w", GgmlType.Q4_K, 0, 32, 8).Align().Zeros(256).ToArray(), "w", 53, "block size 256");

    [Fact]
    public void Open_MisalignedTensorOffset_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(1, 0).TensorInfo("w", GgmlType.F32, 4, 2).Align().Zeros(64).ToArray(), "w", 49, "not a multiple of the alignment");

    [Fact]
    public void Open_TensorPastEndOfFile_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(1, 0).TensorInfo("w", GgmlType.F32, 0, 16).Align().Zeros(60).ToArray(), "w", 49, "outside the file");

    [Fact]
    public void Open_TensorOffsetFarPastEndOfFile_Throws() =>
        AssertRefused(new RawGgufBuilder().Header(1, 0).TensorInfo("w", GgmlType.F32, 1UL << 63, 1).Align().Zeros(32).ToArray(), "w", 49, "outside the file");

    [Fact]
    public void Open_OverlappingTensors_Throws() =>
        AssertRefused(
            new RawGgufBuilder().Header(2, 0).TensorInfo("a", GgmlType.F32, 0, 16).TensorInfo("b", GgmlType.F32, 32, 16).Align().Zeros(128).ToArray(),
            "b", 57, "overlaps tensor 'a'");

    [Fact]
    public void Open_TruncatedTensorInfo_Throws()
    {
        var bytes = new RawGgufBuilder().Header(1, 0).TensorInfo("w", GgmlType.F32, 0, 2).ToArray();

        AssertRefused(bytes[..^3], "w", 49, "truncated");
    }

    [Fact]
    public void Open_ValidHandWrittenFile_Opens()
    {
        var bytes = new RawGgufBuilder().Header(2, 1).KeyU32("general.alignment", 64)
            .TensorInfo("a", GgmlType.F32, 64, 3).TensorInfo("b", GgmlType.Q8_0, 0, 32).Align(64).Zeros(128).ToArray();
        File.WriteAllBytes(_temp.Path, bytes);

        using var file = GgufFile.Open(_temp.Path);

        Assert.Equal(64, file.Alignment);
        Assert.Equal(128, file.DataSectionOffset);
        Assert.Equal(192, file.GetTensor("a").DataOffset);
        Assert.Equal(34, file.GetTensor("b").ByteSize);
    }

    private void AssertRefused(byte[] bytes, string? field, long offset, string messagePart)
    {
        File.WriteAllBytes(_temp.Path, bytes);

        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Open(_temp.Path).Dispose());

        Assert.Equal(_temp.Path, error.FilePath);
        if (field is not null)
        {
            Assert.Equal(field, error.Field);
        }

        if (offset != -2)
        {
            Assert.Equal(offset, error.Offset);
        }

        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{_temp.Path}: {error.Field}", error.Message, StringComparison.Ordinal);
    }
}
