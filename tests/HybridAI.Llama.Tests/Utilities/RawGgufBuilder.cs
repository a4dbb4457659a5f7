using System.Text;

namespace HybridAI.Llama.Tests;

/// <summary>Builds GGUF bytes field by field, so tests can write files the real writer refuses to write.</summary>
public sealed class RawGgufBuilder
{
    private readonly MemoryStream _stream = new();
    private readonly BinaryWriter _writer;

    public RawGgufBuilder()
    {
        _writer = new BinaryWriter(_stream, Encoding.UTF8, leaveOpen: true);
    }

    public long Position => _stream.Position;

    /// <summary>Writes the magic, version and counts.</summary>
    public RawGgufBuilder Header(ulong tensorCount, ulong keyValueCount, uint version = 3, uint magic = GgufParser.Magic) =>
        U32(magic).U32(version).U64(tensorCount).U64(keyValueCount);

    public RawGgufBuilder U8(byte value)
    {
        _writer.Write(value);
        return this;
    }

    public RawGgufBuilder U32(uint value)
    {
        _writer.Write(value);
        return this;
    }

    public RawGgufBuilder U64(ulong value)
    {
        _writer.Write(value);
        return this;
    }

    public RawGgufBuilder Str(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return U64((ulong)bytes.Length).Bytes(bytes);
    }

    public RawGgufBuilder Bytes(ReadOnlySpan<byte> bytes)
    {
        _writer.Write(bytes);
        return this;
    }

    /// <summary>Writes a key-value pair holding an unsigned 32-bit value.</summary>
    public RawGgufBuilder KeyU32(string key, uint value) => Str(key).U32((uint)GgufValueType.UInt32).U32(value);

    /// <summary>Writes a tensor description.</summary>
    public RawGgufBuilder TensorInfo(string name, GgmlType type, ulong offset, params ulong[] dims)
    {
        Str(name).U32((uint)dims.Length);
        foreach (var dim in dims)
        {
            U64(dim);
        }

        return U32((uint)type).U64(offset);
    }

    /// <summary>Pads with zeros to a multiple of the alignment.</summary>
    public RawGgufBuilder Align(int alignment = 32)
    {
        while (_stream.Position % alignment != 0)
        {
            _writer.Write((byte)0);
        }

        return this;
    }

    public RawGgufBuilder Zeros(int count) => Bytes(new byte[count]);

    public byte[] ToArray()
    {
        _writer.Flush();
        return _stream.ToArray();
    }
}
