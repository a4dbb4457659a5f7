namespace HybridAI.Llama;

/// <summary>
/// Keys and values of every layer for every position, in F32 or F16 (llama.cpp's <c>type_k</c>/<c>type_v</c>).
/// Keys per layer: [position, kvHeads × headDimension], one row per position. Values per layer are stored transposed, as
/// llama.cpp does without flash attention (<c>v_trans</c>): [kvHeads × headDimension, position], so that each output
/// dimension of attention is one contiguous dot product over positions. The cells are the requested context rounded up to
/// a multiple of 32, as llama.cpp pads <c>n_ctx</c>: attention then always spans a multiple of 32 cells (the extra ones zero
/// and masked), which its batched products (tinyBLAS, 8 at a time) need.
/// </summary>
internal sealed class KvCache
{
    private readonly float[]? _keysF32;
    private readonly float[]? _valuesF32;
    private readonly Half[]? _keysF16;
    private readonly Half[]? _valuesF16;

    public KvCache(KvCacheType type, int layers, int contextSize, int rowLength)
    {
        Type = type;
        ContextSize = contextSize;
        Cells = checked((contextSize + CellPadding - 1) / CellPadding * CellPadding);
        RowLength = rowLength;
        LayerStride = (long)Cells * rowLength;
        var length = checked(layers * LayerStride);
        SizeInBytes = 2 * length * (type == KvCacheType.F32 ? sizeof(float) : 2);

        // Zeroed like llama.cpp's cache buffer: cells past the used ones enter the V products with weight 0.
        if (type == KvCacheType.F32)
        {
            _keysF32 = GC.AllocateArray<float>(checked((int)length), pinned: true);
            _valuesF32 = GC.AllocateArray<float>(checked((int)length), pinned: true);
        }
        else
        {
            _keysF16 = GC.AllocateArray<Half>(checked((int)length), pinned: true);
            _valuesF16 = GC.AllocateArray<Half>(checked((int)length), pinned: true);
        }
    }

    public KvCacheType Type { get; }

    /// <summary>Cells are allocated in multiples of this (llama.cpp's KV padding without flash attention).</summary>
    public const int CellPadding = 32;

    /// <summary>Gets the most positions the cache holds (as requested).</summary>
    public int ContextSize { get; }

    /// <summary>Gets the number of cells per layer: <see cref="ContextSize"/> rounded up to a multiple of <see cref="CellPadding"/>.</summary>
    public int Cells { get; }

    /// <summary>Elements in one position's key row: kv heads × head dimension.</summary>
    public int RowLength { get; }

    public long LayerStride { get; }

    /// <summary>Bytes held by the cache.</summary>
    public long SizeInBytes { get; }

    /// <summary>Keys of one layer: [position, RowLength].</summary>
    public Span<float> KeysF32(int layer) => _keysF32.AsSpan((int)(layer * LayerStride), (int)LayerStride);

    /// <summary>Values of one layer, transposed: [RowLength, Cells].</summary>
    public Span<float> ValuesF32(int layer) => _valuesF32.AsSpan((int)(layer * LayerStride), (int)LayerStride);

    /// <summary>Keys of one layer: [position, RowLength].</summary>
    public Span<Half> KeysF16(int layer) => _keysF16.AsSpan((int)(layer * LayerStride), (int)LayerStride);

    /// <summary>Values of one layer, transposed: [RowLength, Cells].</summary>
    public Span<Half> ValuesF16(int layer) => _valuesF16.AsSpan((int)(layer * LayerStride), (int)LayerStride);

    /// <summary>Writes one position's key and value rows, rounding to F16 when the cache is F16 (as llama.cpp's copy into the cache does).</summary>
    public void Store(int layer, int position, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        var layerOffset = (int)(layer * LayerStride);
        var keyOffset = layerOffset + (position * RowLength);
        if (Type == KvCacheType.F32)
        {
            key.CopyTo(_keysF32.AsSpan(keyOffset, RowLength));
            for (var c = 0; c < RowLength; c++)
            {
                _valuesF32![layerOffset + (c * Cells) + position] = value[c];
            }
        }
        else
        {
            System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(key, _keysF16.AsSpan(keyOffset, RowLength));
            for (var c = 0; c < RowLength; c++)
            {
                _valuesF16![layerOffset + (c * Cells) + position] = (Half)value[c];
            }
        }
    }
}
