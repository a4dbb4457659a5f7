namespace HybridAI.Llama;

/// <summary>Describes one tensor of a GGUF file: its name, element type, shape and where its bytes lie in the file.</summary>
/// <remarks>Immutable; safe to share between threads. Obtain the bytes through the <see cref="GgufFile"/> that listed it.</remarks>
public sealed class GgufTensorInfo
{
    internal GgufTensorInfo(object owner, string name, GgmlType type, long[] dimensions, long elementCount, long byteSize, long dataOffset, long infoOffset)
    {
        Owner = owner;
        Name = name;
        Type = type;
        Dimensions = dimensions.AsReadOnly();
        ElementCount = elementCount;
        ByteSize = byteSize;
        DataOffset = dataOffset;
        InfoOffset = infoOffset;
    }

    /// <summary>Gets the tensor's name, for example <c>blk.0.attn_q.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the element type (which may be one the engine does not compute with).</summary>
    public GgmlType Type { get; }

    /// <summary>Gets the dimensions in ggml order: <c>ne0</c> first, the row length (the contiguous one).</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>Gets the number of elements (the product of the dimensions).</summary>
    public long ElementCount { get; }

    /// <summary>Gets the number of bytes the tensor occupies in the file.</summary>
    public long ByteSize { get; }

    /// <summary>Gets the absolute offset of the tensor's first byte in the file.</summary>
    public long DataOffset { get; }

    /// <summary>Gets the row length (<c>ne0</c>), or 1 for a tensor with no dimensions.</summary>
    public long RowLength => Dimensions.Count > 0 ? Dimensions[0] : 1;

    /// <summary>Gets the number of rows (the product of every dimension but the first).</summary>
    public long RowCount => ElementCount / RowLength;

    /// <summary>Gets the offset in the file of the tensor's description in the header.</summary>
    internal long InfoOffset { get; }

    /// <summary>Gets the object identifying the file that listed the tensor.</summary>
    internal object Owner { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Type} [{string.Join(", ", Dimensions)}]";
}
