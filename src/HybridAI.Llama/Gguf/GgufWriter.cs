using System.Runtime.InteropServices;
using System.Text;

namespace HybridAI.Llama;

/// <summary>
/// Writes GGUF version 3 files (or version 2 when asked): metadata of every value type, including arrays and arrays of
/// arrays, and tensors whose bytes come from memory or from a callback that streams them, so a large model never needs
/// to be held in memory.
/// </summary>
/// <remarks>
/// Not thread-safe. Metadata and tensors are written in the order they were added. Tensor data is aligned to
/// <see cref="Alignment"/>; when it is not the default 32, <c>general.alignment</c> is written as the first key.
/// </remarks>
internal sealed class GgufWriter
{
    private static readonly byte[] s_zeros = new byte[4096];

    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    /// <summary>Creates a writer.</summary>
    /// <param name="alignment">The data alignment: a power of two.</param>
    public GgufWriter(int alignment = GgufParser.DefaultAlignment)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "The alignment must be a power of two.");
        }

        Alignment = alignment;
        if (alignment != GgufParser.DefaultAlignment)
        {
            AddUInt32(GgufParser.AlignmentKey, (uint)alignment);
        }
    }

    /// <summary>Gets the data alignment.</summary>
    public int Alignment { get; }

    /// <summary>Gets or sets the version written: 3 (default) or 2 (same layout on little-endian machines).</summary>
    public uint Version { get; set; } = 3;

    /// <summary>Gets the keys added so far, in order.</summary>
    public IEnumerable<string> Keys => _metadata.Select(static pair => pair.Key);

    /// <summary>Gets the number of tensors added so far.</summary>
    public int TensorCount => _tensors.Count;

    /// <summary>Adds a value of any type; its <see cref="GgufValue.Value"/> must be the CLR type that matches its type.</summary>
    public void Add(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (Encoding.UTF8.GetByteCount(key) > GgufParser.MaxKeyBytes)
        {
            throw new ArgumentException($"The key is longer than {GgufParser.MaxKeyBytes} bytes.", nameof(key));
        }

        Validate(value.Type, value.ElementType, value.Value, key);
        if (key == GgufParser.AlignmentKey && (value.Value is not uint alignment || alignment != Alignment))
        {
            throw new ArgumentException($"'{key}' must be the writer's alignment ({Alignment}) as a UInt32; pass the alignment to the constructor.", nameof(key));
        }

        if (!_keys.Add(key))
        {
            throw new ArgumentException($"Duplicate key '{key}'.", nameof(key));
        }

        _metadata.Add(new(key, value));
    }

    /// <summary>Adds an unsigned 8-bit value.</summary>
    public void AddUInt8(string key, byte value) => Add(key, new(GgufValueType.UInt8, value));

    /// <summary>Adds a signed 8-bit value.</summary>
    public void AddInt8(string key, sbyte value) => Add(key, new(GgufValueType.Int8, value));

    /// <summary>Adds an unsigned 16-bit value.</summary>
    public void AddUInt16(string key, ushort value) => Add(key, new(GgufValueType.UInt16, value));

    /// <summary>Adds a signed 16-bit value.</summary>
    public void AddInt16(string key, short value) => Add(key, new(GgufValueType.Int16, value));

    /// <summary>Adds an unsigned 32-bit value.</summary>
    public void AddUInt32(string key, uint value) => Add(key, new(GgufValueType.UInt32, value));

    /// <summary>Adds a signed 32-bit value.</summary>
    public void AddInt32(string key, int value) => Add(key, new(GgufValueType.Int32, value));

    /// <summary>Adds a 32-bit float value.</summary>
    public void AddFloat32(string key, float value) => Add(key, new(GgufValueType.Float32, value));

    /// <summary>Adds a boolean value.</summary>
    public void AddBool(string key, bool value) => Add(key, new(GgufValueType.Bool, value));

    /// <summary>Adds a string value.</summary>
    public void AddString(string key, string value) => Add(key, new(GgufValueType.String, value));

    /// <summary>Adds an unsigned 64-bit value.</summary>
    public void AddUInt64(string key, ulong value) => Add(key, new(GgufValueType.UInt64, value));

    /// <summary>Adds a signed 64-bit value.</summary>
    public void AddInt64(string key, long value) => Add(key, new(GgufValueType.Int64, value));

    /// <summary>Adds a 64-bit float value.</summary>
    public void AddFloat64(string key, double value) => Add(key, new(GgufValueType.Float64, value));

    /// <summary>
    /// Adds an array; the element type follows the CLR array type (<c>string[]</c>, <c>float[]</c>, <c>int[]</c> …,
    /// or <c>GgufValue[]</c> of arrays for an array of arrays).
    /// </summary>
    public void AddArray(string key, Array values) => Add(key, ArrayValue(values));

    /// <summary>Makes an array value (for example an element of an array of arrays) from a typed CLR array.</summary>
    public static GgufValue ArrayValue(Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        // Matched on the exact element type: the runtime lets a uint[] pass for an int[] (and sbyte[] for byte[]).
        var clrType = values.GetType().GetElementType();
        var elementType = clrType == typeof(GgufValue) ? GgufValueType.Array : Type.GetTypeCode(clrType) switch
        {
            TypeCode.Byte => GgufValueType.UInt8,
            TypeCode.SByte => GgufValueType.Int8,
            TypeCode.UInt16 => GgufValueType.UInt16,
            TypeCode.Int16 => GgufValueType.Int16,
            TypeCode.UInt32 => GgufValueType.UInt32,
            TypeCode.Int32 => GgufValueType.Int32,
            TypeCode.Single => GgufValueType.Float32,
            TypeCode.Boolean => GgufValueType.Bool,
            TypeCode.String => GgufValueType.String,
            TypeCode.UInt64 => GgufValueType.UInt64,
            TypeCode.Int64 => GgufValueType.Int64,
            TypeCode.Double => GgufValueType.Float64,
            _ => throw new ArgumentException($"Arrays of {clrType} cannot be written to GGUF.", nameof(values)),
        };
        return new GgufValue(GgufValueType.Array, values, elementType);
    }

    /// <summary>Adds a tensor whose bytes are in memory.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="type">The element type.</param>
    /// <param name="dimensions">The dimensions, <c>ne0</c> (the row length) first.</param>
    /// <param name="data">Exactly the tensor's bytes.</param>
    public void AddTensor(string name, GgmlType type, IReadOnlyList<long> dimensions, ReadOnlyMemory<byte> data)
    {
        var size = TensorBytes(name, type, dimensions);
        if (data.Length != size)
        {
            throw new ArgumentException($"Tensor '{name}' needs {size} bytes, {data.Length} were given.", nameof(data));
        }

        AddTensorCore(new PendingTensor(name, type, [.. dimensions], size, data, null));
    }

    /// <summary>Adds a tensor whose bytes a callback writes, when the file is written.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="type">The element type.</param>
    /// <param name="dimensions">The dimensions, <c>ne0</c> (the row length) first.</param>
    /// <param name="writeData">Writes exactly the tensor's bytes to the stream it is given.</param>
    public void AddTensor(string name, GgmlType type, IReadOnlyList<long> dimensions, Action<Stream> writeData)
    {
        ArgumentNullException.ThrowIfNull(writeData);
        var size = TensorBytes(name, type, dimensions);
        AddTensorCore(new PendingTensor(name, type, [.. dimensions], size, default, writeData));
    }

    /// <summary>Writes the file, creating or replacing it.</summary>
    /// <param name="path">The file.</param>
    public void WriteTo(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        WriteTo(stream);
    }

    /// <summary>Writes the file to a stream.</summary>
    /// <param name="stream">The stream.</param>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = BuildHeader();
        stream.Write(header);
        long position = header.Length;
        foreach (var tensor in _tensors)
        {
            position = Pad(stream, position);
            if (tensor.WriteData is null)
            {
                stream.Write(tensor.Data.Span);
            }
            else
            {
                var before = stream.CanSeek ? stream.Position : -1;
                tensor.WriteData(stream);
                if (before >= 0 && stream.Position - before != tensor.Size)
                {
                    throw new InvalidOperationException(
                        $"The callback for tensor '{tensor.Name}' wrote {stream.Position - before} bytes; the tensor has {tensor.Size}.");
                }
            }

            position += tensor.Size;
        }

        Pad(stream, position);
        stream.Flush();
    }

    private byte[] BuildHeader()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(GgufParser.Magic);
            writer.Write(Version);
            writer.Write((ulong)_tensors.Count);
            writer.Write((ulong)_metadata.Count);
            foreach (var (key, value) in _metadata)
            {
                WriteString(writer, key);
                writer.Write((uint)value.Type);
                WriteValue(writer, value.Type, value.ElementType, value.Value);
            }

            long offset = 0;
            foreach (var tensor in _tensors)
            {
                WriteString(writer, tensor.Name);
                writer.Write((uint)tensor.Dimensions.Length);
                foreach (var dim in tensor.Dimensions)
                {
                    writer.Write((ulong)dim);
                }

                writer.Write((uint)tensor.Type);
                writer.Write((ulong)offset);
                offset = GgufParser.AlignUp(offset + tensor.Size, Alignment);
            }
        }

        return buffer.ToArray();
    }

    private static void WriteValue(BinaryWriter writer, GgufValueType type, GgufValueType elementType, object value)
    {
        switch (type)
        {
            case GgufValueType.UInt8: writer.Write((byte)value); break;
            case GgufValueType.Int8: writer.Write((sbyte)value); break;
            case GgufValueType.UInt16: writer.Write((ushort)value); break;
            case GgufValueType.Int16: writer.Write((short)value); break;
            case GgufValueType.UInt32: writer.Write((uint)value); break;
            case GgufValueType.Int32: writer.Write((int)value); break;
            case GgufValueType.Float32: writer.Write((float)value); break;
            case GgufValueType.Bool: writer.Write((byte)((bool)value ? 1 : 0)); break;
            case GgufValueType.String: WriteString(writer, (string)value); break;
            case GgufValueType.UInt64: writer.Write((ulong)value); break;
            case GgufValueType.Int64: writer.Write((long)value); break;
            case GgufValueType.Float64: writer.Write((double)value); break;
            case GgufValueType.Array: WriteArray(writer, elementType, (Array)value); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown GGUF value type.");
        }
    }

    private static void WriteArray(BinaryWriter writer, GgufValueType elementType, Array values)
    {
        writer.Write((uint)elementType);
        writer.Write((ulong)values.Length);
        switch (values)
        {
            case string[] strings:
                foreach (var s in strings)
                {
                    WriteString(writer, s);
                }

                break;
            case bool[] bools:
                foreach (var b in bools)
                {
                    writer.Write((byte)(b ? 1 : 0));
                }

                break;
            case GgufValue[] arrays:
                foreach (var inner in arrays)
                {
                    WriteArray(writer, inner.ElementType, (Array)inner.Value);
                }

                break;
            case byte[] v: writer.Write(v); break;
            case sbyte[] v: writer.Write(MemoryMarshal.AsBytes(v.AsSpan())); break;
            case ushort[] v: writer.Write(MemoryMarshal.AsBytes(v.AsSpan())); break;
            case short[] v: writer.Write(MemoryMarshal.AsBytes(v.AsSpan())); break;
            case uint[] v: writer.Write(MemoryMarshal.AsBytes(v.AsSpan())); break;
            case int[] v: writer.Write(MemoryMarshal.AsBytes(v.AsSpan())); break;
            case float[] v: writer.Write(MemoryMarshal.AsBytes(v.AsSpan())); break;
            case ulong[] v: writer.Write(MemoryMarshal.AsBytes(v.AsSpan())); break;
            case long[] v: writer.Write(MemoryMarshal.AsBytes(v.AsSpan())); break;
            case double[] v: writer.Write(MemoryMarshal.AsBytes(v.AsSpan())); break;
            default: throw new ArgumentException($"Arrays of {values.GetType().GetElementType()} cannot be written to GGUF.", nameof(values));
        }
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void Validate(GgufValueType type, GgufValueType elementType, object? value, string key)
    {
        var ok = type switch
        {
            GgufValueType.UInt8 => value is byte,
            GgufValueType.Int8 => value is sbyte,
            GgufValueType.UInt16 => value is ushort,
            GgufValueType.Int16 => value is short,
            GgufValueType.UInt32 => value is uint,
            GgufValueType.Int32 => value is int,
            GgufValueType.Float32 => value is float,
            GgufValueType.Bool => value is bool,
            GgufValueType.String => value is string,
            GgufValueType.UInt64 => value is ulong,
            GgufValueType.Int64 => value is long,
            GgufValueType.Float64 => value is double,
            GgufValueType.Array => value is Array array && ArrayValue(array).ElementType == elementType,
            _ => false,
        };
        if (!ok)
        {
            throw new ArgumentException($"Key '{key}': a {value?.GetType().Name ?? "null"} is not a GGUF {type} value.", nameof(value));
        }

        if (value is GgufValue[] nested)
        {
            foreach (var inner in nested)
            {
                if (inner.Type != GgufValueType.Array)
                {
                    throw new ArgumentException($"Key '{key}': every element of an array of arrays must be an array.", nameof(value));
                }

                Validate(inner.Type, inner.ElementType, inner.Value, key);
            }
        }
        else if (value is string[] strings && System.Array.IndexOf(strings, null) >= 0)
        {
            throw new ArgumentException($"Key '{key}': an array of strings holds a null.", nameof(value));
        }
    }

    private static long TensorBytes(string name, GgmlType type, IReadOnlyList<long> dimensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Count > GgufParser.MaxDimensions || dimensions.Any(static d => d <= 0))
        {
            throw new ArgumentException($"Tensor '{name}': 0 to {GgufParser.MaxDimensions} positive dimensions are required.", nameof(dimensions));
        }

        var elements = dimensions.Aggregate(1L, static (product, d) => checked(product * d));
        var rowLength = dimensions.Count > 0 ? dimensions[0] : 1;
        return checked(GgmlTypeInfo.RowBytes(type, rowLength) * (elements / rowLength));
    }

    private void AddTensorCore(PendingTensor tensor)
    {
        if (!_tensorNames.Add(tensor.Name))
        {
            throw new ArgumentException($"Duplicate tensor name '{tensor.Name}'.", nameof(tensor));
        }

        _tensors.Add(tensor);
    }

    private long Pad(Stream stream, long position)
    {
        var padding = GgufParser.AlignUp(position, Alignment) - position;
        for (var left = padding; left > 0; left -= Math.Min(left, s_zeros.Length))
        {
            stream.Write(s_zeros, 0, (int)Math.Min(left, s_zeros.Length));
        }

        return position + padding;
    }

    private sealed record PendingTensor(string Name, GgmlType Type, long[] Dimensions, long Size, ReadOnlyMemory<byte> Data, Action<Stream>? WriteData);
}
