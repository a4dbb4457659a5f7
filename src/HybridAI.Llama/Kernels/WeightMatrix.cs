namespace HybridAI.Llama;

/// <summary>
/// A read-only view of a weight matrix in memory (typically the memory-mapped GGUF file): <see cref="Rows"/> rows of
/// <see cref="Cols"/> elements of <see cref="Type"/>, row after row (ggml's ne0 = cols, ne1 = rows).
/// </summary>
/// <remarks>Does not own the memory; the caller keeps it alive and unchanged. Thread-safe to read.</remarks>
internal readonly unsafe struct WeightMatrix
{
    /// <summary>
    /// Creates a view over <paramref name="rows"/> rows of <paramref name="cols"/> elements at <paramref name="data"/>,
    /// multiplied as llama.cpp multiplies an ordinary weight matrix: a Q4_0 matrix whose row count is a multiple of 8 is
    /// taken to be repacked by llama.cpp (see <see cref="RepackedByLlamaCpp"/>).
    /// </summary>
    /// <exception cref="NotSupportedException">The type is not a supported weight type.</exception>
    /// <exception cref="ArgumentException">A dimension is not positive, or a row is not a whole number of blocks.</exception>
    public WeightMatrix(byte* data, GgmlType type, int rows, int cols)
        : this(data, type, rows, cols, type == GgmlType.Q4_0 && rows % 8 == 0)
    {
    }

    /// <summary>Creates a view, saying whether llama.cpp would have repacked this matrix (see <see cref="RepackedByLlamaCpp"/>).</summary>
    /// <exception cref="NotSupportedException">The type is not a supported weight type.</exception>
    /// <exception cref="ArgumentException">A dimension is not positive, a row is not a whole number of blocks, or
    /// <paramref name="repackedByLlamaCpp"/> is set for a matrix llama.cpp cannot repack.</exception>
    public WeightMatrix(byte* data, GgmlType type, int rows, int cols, bool repackedByLlamaCpp)
    {
        if (!GgmlTypeInfo.IsSupportedWeightType(type))
        {
            throw new NotSupportedException($"Weights of type {type} are not supported.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        ArgumentNullException.ThrowIfNull(data);
        if (repackedByLlamaCpp && (type != GgmlType.Q4_0 || rows % 8 != 0))
        {
            throw new ArgumentException($"llama.cpp only repacks Q4_0 matrices with a multiple of 8 rows ({type}, {rows} rows).", nameof(repackedByLlamaCpp));
        }

        Data = data;
        Type = type;
        Rows = rows;
        Cols = cols;
        RowBytes = GgmlTypeInfo.RowBytes(type, cols);
        RepackedByLlamaCpp = repackedByLlamaCpp;
        ScalesNormalOrZero = repackedByLlamaCpp && VecDot.IsSimdSupported && NormalScales.AllNormalOrZero(data, (long)rows * (cols / GgmlTypeInfo.BlockSize(type)), GgmlTypeInfo.BlockBytes(type));
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

    /// <summary>
    /// Gets whether products follow llama.cpp's repacked Q4_0 path (AVX2 build, c392e5094): the CPU backend interleaves
    /// every Q4_0 matrix that feeds a matrix product and has a multiple of 8 rows, and its gemv/gemm accumulate each
    /// output block by block with one FMA, a different rounding order from vec_dot. A matrix llama.cpp only reads through
    /// get_rows (token_embd) stays plain even when tied as the output head, so pass false for a tied output.
    /// </summary>
    public bool RepackedByLlamaCpp { get; }

    /// <summary>
    /// Gets whether every block scale is a normal F16 number or a zero, so that the repacked Q4_0 kernels may widen scales
    /// the short way (<see cref="NormalScales"/>). Checked once, when the view is made, for matrices
    /// <see cref="RepackedByLlamaCpp"/> on CPUs whose kernels use it (x64 with AVX2 and FMA); false for all others, which
    /// then pay nothing at load.
    /// </summary>
    public bool ScalesNormalOrZero { get; }

    /// <summary>Gets the first byte of row <paramref name="row"/> (not checked).</summary>
    public byte* Row(int row) => Data + (row * RowBytes);
}
