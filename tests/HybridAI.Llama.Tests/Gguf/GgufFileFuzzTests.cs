using System.Buffers.Binary;

namespace HybridAI.Llama.Tests;

/// <summary>
/// Damages a small valid file (truncation at every length, random byte flips, huge counts written over fields) and checks
/// that opening it either succeeds with in-bounds tensors or throws a <see cref="GgufFormatException"/> naming file and
/// field, and nothing else.
/// </summary>
public sealed class GgufFileFuzzTests : IDisposable
{
    private static readonly ulong[] s_interesting =
    [
        0, 1, 2, 3, 4, 7, 8, 9, 12, 13, 31, 32, 33, 255, 256, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ulong.MaxValue, ulong.MaxValue - 1,
    ];

    private readonly TemporaryFile _temp = new();
    private int _accepted;
    private int _refused;

    public void Dispose()
    {
        TestContext.Current.TestOutputHelper?.WriteLine($"fuzz cases: {_accepted + _refused} ({_accepted} accepted, {_refused} refused with GgufFormatException)");
        _temp.Dispose();
    }

    [Fact]
    public void Open_TruncatedAtEveryLength_OnlyFormatErrors()
    {
        var valid = BuildValidFile();
        var refused = 0;
        for (var length = 0; length < valid.Length; length++)
        {
            if (!Check(valid.AsSpan(0, length).ToArray()))
            {
                refused++;
            }
        }

        // Only the trailing padding after the last tensor can be cut without harm.
        Assert.True(refused >= valid.Length - 32, $"{refused} of {valid.Length} truncations refused");
        Assert.True(Check(valid));
    }

    [Fact]
    public void Open_FixtureTruncatedOrFlipped_OnlyFormatErrors()
    {
        var valid = File.ReadAllBytes(HybridAI.Testing.Fixtures.PathOf("models/random-small-q4_k_m.gguf"));
        var headerLength = HeaderLength(valid);
        for (var length = 0; length < headerLength; length += 13)
        {
            Assert.False(Check(valid.AsSpan(0, length).ToArray()));
        }

        var random = new Random(2024);
        var bytes = (byte[])valid.Clone();
        for (var i = 0; i < 1000; i++)
        {
            var at = random.Next(headerLength);
            var original = bytes[at];
            bytes[at] ^= (byte)random.Next(1, 256);
            Check(bytes);
            bytes[at] = original;
        }

        Assert.True(Check(valid));
    }

    [Fact]
    public void Open_TruncatedFiles_OnlyFormatErrors()
    {
        var valid = BuildValidFile();
        for (var length = 0; length < valid.Length; length += 37)
        {
            Assert.False(CheckFile(valid.AsSpan(0, length).ToArray()));
        }

        Assert.True(CheckFile(valid));
    }

    [Fact]
    public void Open_RandomByteFlips_OnlyFormatErrors()
    {
        var valid = BuildValidFile();
        var headerLength = HeaderLength(valid);
        var random = new Random(12345);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = (byte[])valid.Clone();
            var flips = random.Next(1, 5);
            for (var f = 0; f < flips; f++)
            {
                // Mostly in the header, where the structure is; sometimes anywhere.
                var at = random.Next(4) == 0 ? random.Next(bytes.Length) : random.Next(headerLength);
                bytes[at] ^= (byte)random.Next(1, 256);
            }

            Check(bytes);
        }
    }

    [Fact]
    public void Open_HugeValuesOverFields_OnlyFormatErrors()
    {
        var valid = BuildValidFile();
        var headerLength = HeaderLength(valid);
        var random = new Random(777);
        var refused = 0;
        const int Cases = 3000;
        for (var i = 0; i < Cases; i++)
        {
            var bytes = (byte[])valid.Clone();
            var at = random.Next(headerLength - 8);
            var value = random.Next(5) == 0 ? (ulong)random.NextInt64() : s_interesting[random.Next(s_interesting.Length)];
            if (random.Next(2) == 0)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), (uint)value);
            }

            if (!Check(bytes))
            {
                refused++;
            }
        }

        Assert.InRange(refused, Cases / 4, Cases);
    }

    [Fact]
    public void Open_EveryInterestingValueAtEveryHeaderPosition_OnlyFormatErrors()
    {
        // Exhaustive over positions, so every count, length, dimension, type and offset field gets every huge value.
        var valid = BuildValidFile();
        var headerLength = HeaderLength(valid);
        var bytes = (byte[])valid.Clone();
        for (var at = 0; at < headerLength - 8; at++)
        {
            foreach (var value in s_interesting)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), value);
                Check(bytes);
                valid.AsSpan(at, 8).CopyTo(bytes.AsSpan(at));
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), (uint)value);
                Check(bytes);
                valid.AsSpan(at, 4).CopyTo(bytes.AsSpan(at));
            }
        }

        Assert.True(Check(valid));
    }

    [Fact]
    public void Open_BytesInsertedOrRemoved_OnlyFormatErrors()
    {
        var valid = BuildValidFile();
        var headerLength = HeaderLength(valid);
        var random = new Random(99);
        for (var i = 0; i < 1000; i++)
        {
            var at = random.Next(headerLength);
            var count = random.Next(1, 9);
            byte[] bytes = random.Next(2) == 0
                ? [.. valid.AsSpan(0, at), .. new byte[count], .. valid.AsSpan(at)]
                : [.. valid.AsSpan(0, at), .. valid.AsSpan(Math.Min(valid.Length, at + count))];
            Check(bytes);
        }
    }

    /// <summary>Parses the bytes in memory; true when accepted (tensors in bounds), false when refused properly.</summary>
    private bool Check(byte[] bytes)
    {
        try
        {
            var parser = GgufParser.Parse(bytes, "fuzz.gguf");
            foreach (var (key, value) in parser.Metadata)
            {
                Assert.False(string.IsNullOrEmpty(key));
                Assert.NotNull(value.ToString());
            }

            foreach (var tensor in parser.Tensors)
            {
                Assert.InRange(tensor.DataOffset, parser.DataSectionOffset, bytes.Length);
                Assert.InRange(tensor.ByteSize, 1, bytes.Length - tensor.DataOffset);
                Assert.Equal(0, tensor.DataOffset % parser.Alignment);
            }

            _accepted++;
            return true;
        }
        catch (GgufFormatException error)
        {
            Assert.Equal("fuzz.gguf", error.FilePath);
            Assert.False(string.IsNullOrEmpty(error.Field));
            Assert.InRange(error.Offset, -1, bytes.Length);
            _refused++;
            return false;
        }
    }

    /// <summary>Opens the bytes from a file; true when accepted (and every tensor readable), false when refused properly.</summary>
    private bool CheckFile(byte[] bytes)
    {
        File.WriteAllBytes(_temp.Path, bytes);
        try
        {
            using var file = GgufFile.Open(_temp.Path);
            foreach (var tensor in file.Tensors)
            {
                var data = file.GetTensorBytes(tensor);
                Assert.Equal(tensor.ByteSize, data.Length);
                _ = data[0] + data[^1];
            }

            _accepted++;
            return true;
        }
        catch (GgufFormatException error)
        {
            Assert.Equal(_temp.Path, error.FilePath);
            Assert.False(string.IsNullOrEmpty(error.Field));
            _refused++;
            return false;
        }
    }

    private static int HeaderLength(byte[] valid) => (int)GgufParser.Parse(valid, "valid.gguf").DataSectionOffset;

    private static byte[] BuildValidFile()
    {
        var writer = new GgufWriter();
        writer.AddString("general.architecture", "llama");
        writer.AddUInt32("llama.block_count", 1);
        writer.AddFloat32("llama.rope.freq_base", 10000f);
        writer.AddBool("flag", true);
        writer.AddArray("tokenizer.ggml.tokens", new[] { "<unk>", "<s>", "</s>", "a", "bc" });
        writer.AddArray("tokenizer.ggml.scores", new[] { 0f, 0f, 0f, -1f, -2f });
        writer.AddArray("nested", new[] { GgufWriter.ArrayValue(new[] { 1, 2 }), GgufWriter.ArrayValue(new[] { "x" }) });
        writer.AddInt64("i64", -5);
        var random = new Random(1);
        var f32 = new byte[4 * 8];
        var q8 = new byte[34 * 2];
        var f16 = new byte[2 * 4 * 3];
        random.NextBytes(f32);
        random.NextBytes(q8);
        random.NextBytes(f16);
        writer.AddTensor("norm.weight", GgmlType.F32, [8], f32);
        writer.AddTensor("blk.0.attn_q.weight", GgmlType.Q8_0, [32, 2], q8);
        writer.AddTensor("token_embd.weight", GgmlType.F16, [4, 3], f16);
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }
}
