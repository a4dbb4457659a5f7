namespace HybridAI.Llama;

/// <summary>
/// A read-only view of a weight matrix in memory (typically the memory-mapped GGUF file): <see cref="Rows"/> rows of
/// <see cref="Cols"/> elements of <see cref="Type"/>, row after row (ggml's ne0 = cols, ne1 = rows).
/// </summary>
/// <remarks>Does not own the memory; the caller keeps it alive and unchanged. Thread-safe to read.</remarks>
internal readonly unsafe struct WeightMatrix
{
    /// <summary>Creates a view over <paramref name="rows"/> rows of <paramref name="cols"/> elements at <paramref name="data"/>.</summary>
    /// <exception cref="NotSupportedException">The type is not a supported weight type.</exception>
    /// <exception cref="ArgumentException">A dimension is not positive, or a row is not a whole number of blocks.</exception>
    public WeightMatrix(byte* data, GgmlType type, int rows, int cols)
    {
        if (!GgmlTypeInfo.IsSupportedWeightType(type))
        {
            throw new NotSupportedException($"Weights of type {type} are not supported.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
        Type = type;
        Rows = rows;
        Cols = cols;
        RowBytes = GgmlTypeInfo.RowBytes(type, cols);
    }

    /// <summary>Gets the first byte of the first row.</summary>
    public byte* Data { get; }

    /// <summary>Gets the element type.</summary>
    public GgmlType Type { get; }

    /// <summary>Gets the number of rows (outputs of a product).</summary>
    public int Rows { get; }

    /// <summary>Gets the number of elements in a row (inputs of a product).</summary>
    public int Cols { get; }

    /// <summary>Gets the bytes of one row.</summary>
    public long RowBytes { get; }

    /// <summary>Gets the first byte of row <paramref name="row"/> (not checked).</summary>
    public byte* Row(int row) => Data + (row * RowBytes);
}
