using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace HybridAI.Llama;

/// <summary>
/// Parses the header of a GGUF file (metadata and tensor descriptions) from memory with bounded reads: every count and
/// length is checked against the bytes left before anything is allocated, so a malformed file yields a
/// <see cref="GgufFormatException"/>, never a crash, a hang or a huge allocation.
/// </summary>
/// <remarks>Not thread-safe; used once by <see cref="GgufFile.Open"/>.</remarks>
internal sealed unsafe class GgufParser
{
    /// <summary>The magic, "GGUF" read as a little-endian 32-bit integer.</summary>
    public const uint Magic = 0x46554747;

    /// <summary>The alignment of the data section and of each tensor when <c>general.alignment</c> is absent.</summary>
    public const int DefaultAlignment = 32;

    /// <summary>The alignment key.</summary>
    public const string AlignmentKey = "general.alignment";

    /// <summary>The longest key the GGUF specification allows, in bytes.</summary>
    public const int MaxKeyBytes = 65535;

    /// <summary>The deepest nesting of arrays of arrays accepted (the format allows more; real files use none).</summary>
    public const int MaxArrayNesting = 8;

    /// <summary>The most key-value pairs accepted (real files have tens; this only stops absurd counts early).</summary>
    public const int MaxKeyValues = 1 << 20;

    /// <summary>The most tensors accepted (the largest mixture-of-experts files have tens of thousands).</summary>
    public const int MaxTensors = 1 << 20;

    /// <summary>The most dimensions a tensor may have (ggml's GGML_MAX_DIMS).</summary>
    public const int MaxDimensions = 4;

    // The fewest bytes a key-value pair (8-byte key length, 4-byte type, 1-byte value) and a tensor description
    // (8-byte name length, 4-byte dimension count, 4-byte type, 8-byte offset) can take.
    private const int MinKeyValueBytes = 13;
    private const int MinTensorInfoBytes = 24;

    private readonly byte* _base;
    private readonly long _length;
    private readonly string _path;
    private readonly object _owner;
    private long _position;

    public GgufParser(byte* fileBase, long length, string path, object owner)
    {
        _base = fileBase;
        _length = length;
        _path = path;
        _owner = owner;
    }

    /// <summary>Parses a header held in memory (tests and tools); pointers into the bytes are not kept.</summary>
    public static GgufParser Parse(ReadOnlySpan<byte> bytes, string path)
    {
        fixed (byte* pointer = bytes)
        {
            var parser = new GgufParser(pointer, bytes.Length, path, new object());
            parser.Parse();
            return parser;
        }
    }

    public uint Version { get; private set; }

    public int Alignment { get; private set; } = DefaultAlignment;

    public long DataSectionOffset { get; private set; }

    public GgufMetadata Metadata { get; private set; } = null!;

    public GgufTensorInfo[] Tensors { get; private set; } = [];

    private long Remaining => _length - _position;

    public void Parse()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("GGUF files are read on little-endian machines only.");
        }

        if (_length == 0)
        {
            Fail("magic", 0, "the file is empty");
        }

        var magic = ReadUInt32("magic");
        if (magic != Magic)
        {
            Fail("magic", 0, $"expected 'GGUF' (0x{Magic:X8}), found 0x{magic:X8}; this is not a GGUF file");
        }

        Version = ReadUInt32("version");
        if (Version == 1)
        {
            Fail("version", 4, "GGUF version 1 is not supported (only 2 and 3); convert the file with a current llama.cpp");
        }

        if (Version is not (2 or 3))
        {
            var hint = (Version & 0xFFFF) == 0 ? " (a big-endian file?)" : string.Empty;
            Fail("version", 4, $"unsupported GGUF version {Version}{hint}; only 2 and 3 are supported");
        }

        var tensorCount = ReadUInt64("tensor_count");
        var keyValueCount = ReadUInt64("metadata_kv_count");
        var left = (ulong)Remaining;
        if (keyValueCount > MaxKeyValues)
        {
            Fail("metadata_kv_count", 16, $"{keyValueCount} key-value pairs is more than the {MaxKeyValues} accepted");
        }

        if (tensorCount > MaxTensors)
        {
            Fail("tensor_count", 8, $"{tensorCount} tensors is more than the {MaxTensors} accepted");
        }

        if (keyValueCount > left / MinKeyValueBytes)
        {
            Fail("metadata_kv_count", 16, $"{keyValueCount} key-value pairs cannot fit in the {left} bytes left in the file");
        }

        if (tensorCount > left / MinTensorInfoBytes || (keyValueCount * MinKeyValueBytes) + (tensorCount * MinTensorInfoBytes) > left)
        {
            Fail("tensor_count", 8, $"{tensorCount} tensors and {keyValueCount} key-value pairs cannot fit in the {left} bytes left in the file");
        }

        ReadMetadata((int)keyValueCount);
        ReadAlignment();
        ReadTensorInfos((int)tensorCount);
    }

    private void ReadMetadata(int count)
    {
        var ordered = new KeyValuePair<string, GgufValue>[count];
        var byKey = new Dictionary<string, GgufValue>(Math.Min(count, 1024), StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var start = _position;
            var key = ReadString("metadata key", i, MaxKeyBytes);
            if (key.Length == 0)
            {
                Fail($"metadata key[{i}]", start, "the key is empty");
            }

            if (byKey.ContainsKey(key))
            {
                Fail(key, start, "duplicate key");
            }

            var typeOffset = _position;
            var type = (GgufValueType)ReadUInt32(key);
            var value = type == GgufValueType.Array
                ? ReadArray(key, start, 1)
                : IsKnown(type)
                    ? new GgufValue(type, ReadScalar(type, key, -1), default, start)
                    : throw Error(key, typeOffset, $"unknown value type {(uint)type}");
            byKey.Add(key, value);
            ordered[i] = new(key, value);
        }

        Metadata = new GgufMetadata(_path, ordered, byKey);
    }

    private void ReadAlignment()
    {
        if (!Metadata.TryGetUInt32(AlignmentKey, out var alignment))
        {
            return;
        }

        if (alignment == 0 || !BitOperations.IsPow2(alignment) || alignment > (1u << 30))
        {
            Fail(AlignmentKey, Metadata[AlignmentKey].Offset, $"the alignment {alignment} is not a power of two between 1 and 2^30");
        }

        Alignment = (int)alignment;
    }

    private void ReadTensorInfos(int count)
    {
        if ((ulong)count > (ulong)(Remaining / MinTensorInfoBytes))
        {
            Fail("tensor_count", 8, $"{count} tensors cannot fit in the {Remaining} bytes left after the metadata");
        }

        var names = new HashSet<string>(Math.Min(count, 4096), StringComparer.Ordinal);
        var tensors = new (string Name, GgmlType Type, long[] Dims, long Elements, long Bytes, ulong Offset, long InfoOffset, long OffsetField)[count];
        for (var i = 0; i < count; i++)
        {
            var infoOffset = _position;
            var name = ReadString("tensor name", i, MaxKeyBytes);
            if (name.Length == 0)
            {
                Fail($"tensor name[{i}]", infoOffset, "the tensor name is empty");
            }

            if (!names.Add(name))
            {
                Fail(name, infoOffset, "duplicate tensor name");
            }

            var dimsOffset = _position;
            var dimensionCount = ReadUInt32(name);
            if (dimensionCount > MaxDimensions)
            {
                Fail(name, dimsOffset, $"{dimensionCount} dimensions; at most {MaxDimensions} are allowed");
            }

            var dims = new long[dimensionCount];
            long elements = 1;
            for (var d = 0; d < dims.Length; d++)
            {
                var dimOffset = _position;
                var dim = ReadUInt64(name);
                if (dim == 0 || dim > long.MaxValue)
                {
                    Fail(name, dimOffset, $"dimension {d} is {(long)dim}; it must be positive");
                }

                dims[d] = (long)dim;
                if (elements > long.MaxValue / (long)dim)
                {
                    Fail(name, dimOffset, $"the element count of shape [{string.Join(", ", dims.AsSpan(0, d + 1).ToArray())}] overflows 64 bits");
                }

                elements *= (long)dim;
            }

            var typeOffset = _position;
            var type = (GgmlType)ReadUInt32(name);
            if (!Enum.IsDefined(type) || !GgmlTypeInfo.IsKnown(type))
            {
                throw Error(name, typeOffset, $"unknown tensor type {(uint)type}");
            }

            var blockSize = GgmlTypeInfo.BlockSize(type);
            var blockBytes = GgmlTypeInfo.BlockBytes(type);

            var rowLength = dims.Length > 0 ? dims[0] : 1;
            if (rowLength % blockSize != 0)
            {
                Fail(name, typeOffset, $"the row length {rowLength} is not a multiple of the {type} block size {blockSize}");
            }

            var blocks = elements / blockSize;
            if (blocks > long.MaxValue / blockBytes)
            {
                Fail(name, typeOffset, $"the byte size of {elements} {type} elements overflows 64 bits");
            }

            var offsetField = _position;
            var relative = ReadUInt64(name);
            tensors[i] = (name, type, dims, elements, blocks * blockBytes, relative, infoOffset, offsetField);
        }

        DataSectionOffset = AlignUp(_position, Alignment);
        var infos = new GgufTensorInfo[count];
        for (var i = 0; i < count; i++)
        {
            var t = tensors[i];
            if (t.Offset % (ulong)Alignment != 0)
            {
                Fail(t.Name, t.OffsetField, $"the data offset {t.Offset} is not a multiple of the alignment {Alignment}");
            }

            var room = _length - DataSectionOffset;
            if (room < 0 || t.Offset > (ulong)room || t.Bytes > room - (long)t.Offset)
            {
                Fail(t.Name, t.OffsetField,
                    $"the tensor's {t.Bytes} bytes at data offset {t.Offset} (file offset {DataSectionOffset}+{t.Offset}) lie outside the file of {_length} bytes");
            }

            infos[i] = new GgufTensorInfo(_owner, t.Name, t.Type, t.Dims, t.Elements, t.Bytes, DataSectionOffset + (long)t.Offset, t.InfoOffset);
        }

        var byOffset = (GgufTensorInfo[])infos.Clone();
        Array.Sort(byOffset, static (a, b) => a.DataOffset.CompareTo(b.DataOffset));
        for (var i = 1; i < byOffset.Length; i++)
        {
            var previous = byOffset[i - 1];
            if (previous.DataOffset + previous.ByteSize > byOffset[i].DataOffset)
            {
                Fail(byOffset[i].Name, byOffset[i].InfoOffset, $"the tensor's data at file offset {byOffset[i].DataOffset} overlaps tensor '{previous.Name}'");
            }
        }

        Tensors = infos;
    }

    private GgufValue ReadArray(string key, long start, int depth)
    {
        var typeOffset = _position;
        var elementType = (GgufValueType)ReadUInt32(key);
        var countOffset = _position;
        var count = ReadUInt64(key);
        if (!IsKnown(elementType) && elementType != GgufValueType.Array)
        {
            Fail(key, typeOffset, $"unknown array element type {(uint)elementType}");
        }

        if (elementType == GgufValueType.Array && depth >= MaxArrayNesting)
        {
            Fail(key, typeOffset, $"arrays are nested more than {MaxArrayNesting} deep");
        }

        var minBytes = elementType switch
        {
            GgufValueType.String => 8,
            GgufValueType.Array => 12,
            _ => ScalarSize(elementType),
        };
        if (count > (ulong)(Remaining / minBytes) || count > (ulong)Array.MaxLength)
        {
            Fail(key, countOffset, $"an array of {count} {elementType} elements cannot fit in the {Remaining} bytes left in the file");
        }

        var n = (int)count;
        object value = elementType switch
        {
            GgufValueType.UInt8 => ReadPrimitives<byte>(n),
            GgufValueType.Int8 => ReadPrimitives<sbyte>(n),
            GgufValueType.UInt16 => ReadPrimitives<ushort>(n),
            GgufValueType.Int16 => ReadPrimitives<short>(n),
            GgufValueType.UInt32 => ReadPrimitives<uint>(n),
            GgufValueType.Int32 => ReadPrimitives<int>(n),
            GgufValueType.Float32 => ReadPrimitives<float>(n),
            GgufValueType.UInt64 => ReadPrimitives<ulong>(n),
            GgufValueType.Int64 => ReadPrimitives<long>(n),
            GgufValueType.Float64 => ReadPrimitives<double>(n),
            GgufValueType.Bool => ReadBools(key, n),
            GgufValueType.String => ReadStrings(key, n),
            _ => ReadNestedArrays(key, n, depth),
        };
        return new GgufValue(GgufValueType.Array, value, elementType, start);
    }

    private GgufValue[] ReadNestedArrays(string key, int count, int depth)
    {
        var arrays = new GgufValue[count];
        for (var i = 0; i < arrays.Length; i++)
        {
            arrays[i] = ReadArray(key, _position, depth + 1);
        }

        return arrays;
    }

    private T[] ReadPrimitives<T>(int count)
        where T : unmanaged
    {
        // The caller checked that count elements fit in the bytes left.
        var values = new T[count];
        var bytes = (long)count * sizeof(T);
        fixed (T* destination = values)
        {
            Buffer.MemoryCopy(_base + _position, destination, bytes, bytes);
        }

        _position += bytes;
        return values;
    }

    private bool[] ReadBools(string key, int count)
    {
        var values = new bool[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ReadBool(key, i);
        }

        return values;
    }

    private string[] ReadStrings(string key, int count)
    {
        var values = new string[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ReadString(key, i, int.MaxValue);
        }

        return values;
    }

    private object ReadScalar(GgufValueType type, string field, long index) => type switch
    {
        GgufValueType.UInt8 => Read<byte>(field, index),
        GgufValueType.Int8 => Read<sbyte>(field, index),
        GgufValueType.UInt16 => Read<ushort>(field, index),
        GgufValueType.Int16 => Read<short>(field, index),
        GgufValueType.UInt32 => Read<uint>(field, index),
        GgufValueType.Int32 => Read<int>(field, index),
        GgufValueType.Float32 => Read<float>(field, index),
        GgufValueType.Bool => ReadBool(field, index),
        GgufValueType.String => ReadString(field, index, int.MaxValue),
        GgufValueType.UInt64 => Read<ulong>(field, index),
        GgufValueType.Int64 => Read<long>(field, index),
        GgufValueType.Float64 => Read<double>(field, index),
        _ => throw new InvalidOperationException($"Not a scalar type: {type}."),
    };

    private bool ReadBool(string field, long index)
    {
        var offset = _position;
        var b = Read<byte>(field, index);
        if (b > 1)
        {
            Fail(Name(field, index), offset, $"a bool must be 0 or 1, found {b}");
        }

        return b == 1;
    }

    private string ReadString(string field, long index, int maxBytes)
    {
        var offset = _position;
        var length = Read<ulong>(field, index);
        if (length > (ulong)Remaining)
        {
            Fail(Name(field, index), offset, $"a string of {length} bytes cannot fit in the {Remaining} bytes left in the file");
        }

        if (length > (ulong)maxBytes)
        {
            Fail(Name(field, index), offset, $"a string of {length} bytes is longer than the {maxBytes} allowed");
        }

        var text = length == 0 ? string.Empty : Encoding.UTF8.GetString(_base + _position, (int)length);
        _position += (long)length;
        return text;
    }

    private uint ReadUInt32(string field) => Read<uint>(field, -1);

    private ulong ReadUInt64(string field) => Read<ulong>(field, -1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T Read<T>(string field, long index)
        where T : unmanaged
    {
        if (Remaining < sizeof(T))
        {
            Fail(Name(field, index), _position, $"the file ends after {_length} bytes, {sizeof(T)} bytes were needed (truncated file)");
        }

        var value = Unsafe.ReadUnaligned<T>(_base + _position);
        _position += sizeof(T);
        return value;
    }

    private static string Name(string field, long index) => index >= 0 ? $"{field}[{index}]" : field;

    private static bool IsKnown(GgufValueType type) => type <= GgufValueType.Float64 && type != GgufValueType.Array;

    private static int ScalarSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        _ => 8,
    };

    internal static long AlignUp(long position, int alignment) => (position + alignment - 1) & ~((long)alignment - 1);

    private GgufFormatException Error(string field, long offset, string problem) => new(_path, field, offset, problem);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(string field, long offset, string problem) => throw Error(field, offset, problem);
}
