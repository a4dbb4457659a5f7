namespace HybridAI.Llama;

/// <summary>
/// Activations converted once per step to the vec-dot type of the weights they meet (<see cref="GgmlTypeInfo.VecDotType"/>):
/// Q8_0 blocks, Q8_K blocks, or F32 values. For F16 and BF16 weights the values are rounded to F16/BF16 as ggml does and
/// kept widened to F32 (exact), which saves the kernels a conversion.
/// </summary>
/// <remarks>
/// Owns pinned memory sized at construction; loading never allocates. Not thread-safe to load (<c>Load</c>); any number of
/// threads may read it between loads.
/// </remarks>
internal sealed unsafe class ActivationBuffer
{
    private readonly byte[] _storage;
    private readonly byte* _data;
    private readonly int[] _nibbleOffsets;
    private readonly int* _offsets;
    private readonly int _offsetsPerRow;

    /// <summary>Creates a buffer for up to <paramref name="maxRows"/> rows of up to <paramref name="maxCols"/> elements.</summary>
    public ActivationBuffer(int maxCols, int maxRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCols);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        MaxCols = maxCols;
        MaxRows = maxRows;
        // F32 is the widest layout (4 bytes per element; Q8_0 and Q8_K take under 1.2).
        _storage = GC.AllocateUninitializedArray<byte>(checked(maxCols * maxRows * 4) + 64, pinned: true);
        fixed (byte* p = _storage)
        {
            _data = (byte*)(((nint)p + 63) & ~(nint)63);
        }

        _offsetsPerRow = (maxCols + 31) / 32;
        _nibbleOffsets = GC.AllocateUninitializedArray<int>(checked(_offsetsPerRow * maxRows), pinned: true);
        fixed (int* p = _nibbleOffsets)
        {
            _offsets = p;
        }
    }

    /// <summary>Gets the most elements a row may hold.</summary>
    public int MaxCols { get; }

    /// <summary>Gets the most rows the buffer may hold.</summary>
    public int MaxRows { get; }

    /// <summary>Gets the weight type the activations were last loaded for.</summary>
    public GgmlType WeightType { get; private set; }

    /// <summary>Gets the vec-dot type of <see cref="WeightType"/> (F16 and BF16 are stored widened to F32).</summary>
    public GgmlType Type { get; private set; }

    /// <summary>Gets the number of rows loaded (1 for a matrix-vector product).</summary>
    public int Rows { get; private set; }

    /// <summary>Gets the number of elements in each row.</summary>
    public int Cols { get; private set; }

    /// <summary>Gets the bytes between the starts of two rows.</summary>
    public long RowStride { get; private set; }

    /// <summary>Gets the first byte of row <paramref name="row"/> (not checked).</summary>
    public byte* Row(int row) => _data + (row * RowStride);

    /// <summary>
    /// Gets, for Q8_0 activations, 8 · the sum of the 32 quantized values of each block of row <paramref name="row"/> (not
    /// checked): the repacked Q4_0 kernels multiply unsigned nibbles and subtract this once per block for the nibbles' −8.
    /// Kept multiplied so that a kernel reads it straight into a vector register (a broadcast load, no shuffle).
    /// </summary>
    public int* NibbleOffsets(int row) => _offsets + (row * _offsetsPerRow);

    /// <summary>Gets the ints between the nibble offsets of two rows (<see cref="NibbleOffsets"/>).</summary>
    public int NibbleOffsetsStride => _offsetsPerRow;

    /// <summary>
    /// Converts <paramref name="rows"/> rows of <paramref name="cols"/> floats (row-major in <paramref name="x"/>) for a
    /// product with weights of <paramref name="weightType"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shape exceeds the buffer, <paramref name="x"/> is too short, or a row is not a whole number of blocks.</exception>
    public void Load(GgmlType weightType, ReadOnlySpan<float> x, int rows, int cols) => Load(weightType, x, rows, cols, scalar: false);

    /// <summary>As <see cref="Load(GgmlType, ReadOnlySpan{float}, int, int)"/>, optionally forcing the scalar conversion (tests).</summary>
    internal void Load(GgmlType weightType, ReadOnlySpan<float> x, int rows, int cols, bool scalar)
    {
        if (rows <= 0 || rows > MaxRows || cols <= 0 || cols > MaxCols)
        {
            throw new ArgumentException($"Shape {rows}×{cols} does not fit the buffer ({MaxRows}×{MaxCols}).");
        }

        if (x.Length < (long)rows * cols)
        {
            throw new ArgumentException($"Expected {rows * cols} values; got {x.Length}.", nameof(x));
        }

        var vecDotType = GgmlTypeInfo.VecDotType(weightType);
        var storedType = vecDotType is GgmlType.F16 or GgmlType.BF16 ? GgmlType.F32 : vecDotType;
        var stride = GgmlTypeInfo.RowBytes(storedType, cols);
        WeightType = weightType;
        Type = vecDotType;
        Rows = rows;
        Cols = cols;
        RowStride = stride;
        fixed (float* src = x)
        {
            for (var r = 0; r < rows; r++)
            {
                var from = src + ((long)r * cols);
                var to = Row(r);
                switch (vecDotType)
                {
                    case GgmlType.F16:
                        for (var i = 0; i < cols; i++)
                        {
                            ((float*)to)[i] = (float)(Half)from[i];
                        }

                        break;
                    case GgmlType.BF16:
                        for (var i = 0; i < cols; i++)
                        {
                            ((float*)to)[i] = BFloat16.ToSingle(BFloat16.FromSingle(from[i]));
                        }

                        break;
                    default:
                        ActivationQuantizer.Quantize(vecDotType, from, to, cols, scalar);
                        if (vecDotType == GgmlType.Q8_0)
                        {
                            WriteNibbleOffsets(to, NibbleOffsets(r), cols / GgmlTypeInfo.BlockSize(GgmlType.Q8_0));
                        }

                        break;
                }
            }
        }
    }

    /// <summary>8 · the sum of the quantized values of each Q8_0 block (an F16 scale, then the values).</summary>
    private static void WriteNibbleOffsets(byte* blocks, int* offsets, int count)
    {
        var blockBytes = GgmlTypeInfo.BlockBytes(GgmlType.Q8_0);
        var values = GgmlTypeInfo.BlockSize(GgmlType.Q8_0);
        for (var b = 0; b < count; b++)
        {
            var q = (sbyte*)(blocks + (b * blockBytes) + sizeof(ushort));
            var sum = 0;
            for (var i = 0; i < values; i++)
            {
                sum += q[i];
            }

            offsets[b] = sum << 3;
        }
    }
}
