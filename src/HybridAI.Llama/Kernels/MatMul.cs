namespace HybridAI.Llama;

/// <summary>
/// Weight × activation products: <c>y[b·rows + r] = Σ_c W[r, c] · x[b, c]</c> for every activation row b. One activation
/// row is a matrix-vector product; several are tiled so that a tile of weight rows is read from memory once for all of them.
/// </summary>
/// <remarks>Thread-safe as long as concurrent calls use different pools and outputs; allocation-free in steady state.</remarks>
internal static unsafe class MatMul
{
    /// <summary>Most products one run takes: a layer's query, key and value projections.</summary>
    public const int MaxProducts = 3;

    /// <summary>Weight rows per tile in a batch: small enough to stay in L1/L2 while every activation row passes over it.</summary>
    private const int TileRows = 16;

    /// <summary>Below this many weight elements per activation row the pool's wake-up costs more than the work saves.</summary>
    private const long MinParallelElements = 32 * 1024;

    [ThreadStatic]
    private static MatMulTask? t_task;

    /// <summary>Multiplies <paramref name="w"/> by every row of <paramref name="x"/> into <paramref name="y"/> (x.Rows × w.Rows floats).</summary>
    /// <param name="w">The weights; w.Cols must equal x.Cols.</param>
    /// <param name="x">Activations loaded for w.Type, or for any weight type with the same vec-dot type (Q4_K and Q6_K both
    /// meet Q8_K blocks), so that one quantization serves several matrices.</param>
    /// <param name="y">The output, row-major: activation row b, then weight row r.</param>
    /// <param name="pool">Threads to split the weight rows over, or null to run on the caller alone.</param>
    /// <exception cref="ArgumentException">The shapes or types do not match.</exception>
    public static void Multiply(in WeightMatrix w, ActivationBuffer x, float* y, ComputePool? pool) => Multiply(w, x, y, pool, scalar: false);

    /// <summary>As <see cref="Multiply(in WeightMatrix, ActivationBuffer, float*, ComputePool?)"/>, optionally forcing the scalar kernels (tests, benchmarks).</summary>
    internal static void Multiply(in WeightMatrix w, ActivationBuffer x, float* y, ComputePool? pool, bool scalar)
    {
        var output = (nint)y;
        Multiply(new ReadOnlySpan<WeightMatrix>(in w), x, new ReadOnlySpan<nint>(in output), pool, scalar);
    }

    /// <summary>
    /// Multiplies each of <paramref name="weights"/> by every row of <paramref name="x"/> into the output at the same index, in
    /// one run of the pool: the threads share out the rows of all the matrices together, so a layer's q, k and v (or gate
    /// and up) projections pay for one hand-out and one barrier instead of one each. Every output is computed by the same
    /// kernel as <see cref="Multiply(in WeightMatrix, ActivationBuffer, float*, ComputePool?)"/> would use for it alone.
    /// </summary>
    /// <param name="weights">One to <see cref="MaxProducts"/> matrices, each with x's column count and vec-dot type.</param>
    /// <param name="x">The activations, loaded once for all the matrices.</param>
    /// <param name="outputs">For each matrix, its output (x.Rows × rows floats, row-major).</param>
    /// <param name="pool">Threads to split the rows over, or null to run on the caller alone.</param>
    /// <param name="scalar">True to force the scalar kernels (tests, benchmarks).</param>
    /// <exception cref="ArgumentException">The counts, shapes or types do not match.</exception>
    internal static void Multiply(ReadOnlySpan<WeightMatrix> weights, ActivationBuffer x, ReadOnlySpan<nint> outputs, ComputePool? pool, bool scalar = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (weights.IsEmpty || weights.Length > MaxProducts || outputs.Length != weights.Length)
        {
            throw new ArgumentException($"Expected 1 to {MaxProducts} matrices with one output each, got {weights.Length} and {outputs.Length}.", nameof(weights));
        }

        long elements = 0;
        foreach (ref readonly var w in weights)
        {
            if (x.Cols != w.Cols || x.Type != GgmlTypeInfo.VecDotType(w.Type))
            {
                throw new ArgumentException($"Activations ({x.Rows}×{x.Cols} for {x.WeightType}) do not match weights ({w.Rows}×{w.Cols} {w.Type}).", nameof(x));
            }

            elements += (long)w.Rows * w.Cols;
        }

        foreach (var output in outputs)
        {
            if (output == 0)
            {
                throw new ArgumentException("An output is null.", nameof(outputs));
            }
        }

        var task = t_task ??= new MatMulTask();
        task.Prepare(weights, x, outputs, scalar);
        try
        {
            if (pool is null || elements * x.Rows < MinParallelElements)
            {
                task.PlanShares(1);
                task.Execute(0, task.Rows, 0);
            }
            else
            {
                task.PlanShares(pool.ThreadCount);
                pool.Run(task, task.Rows);
            }
        }
        finally
        {
            task.Clear();
        }
    }

    /// <summary>
    /// The products of one run. Their rows form one range in which each matrix starts at a multiple of
    /// <see cref="TileRows"/> (the gaps are skipped), so that no batch tile spans two matrices.
    /// </summary>
    private sealed class MatMulTask : IComputeTask
    {
        /// <summary>Bytes of weights a thread takes from a share at a time in a matrix-vector product.</summary>
        private const int ShareChunkBytes = 64 * 1024;

        private readonly Product[] _products = new Product[MaxProducts];
        private readonly RowShares _shares = new();
        private int _count;
        private ActivationBuffer? _activations;

        /// <summary>The first row (of the joint range) of the next batch tile not yet taken by a thread.</summary>
        private int _nextTile;

        /// <summary>Gets the length of the joint row range.</summary>
        public int Rows { get; private set; }

        public void Prepare(ReadOnlySpan<WeightMatrix> weights, ActivationBuffer x, ReadOnlySpan<nint> outputs, bool scalar)
        {
            var start = 0;
            for (var i = 0; i < weights.Length; i++)
            {
                _products[i].Configure(weights[i], x, (float*)outputs[i], start, scalar);
                Rows = start + weights[i].Rows;
                start = (Rows + TileRows - 1) / TileRows * TileRows;
            }

            _count = weights.Length;
            _activations = x;
            _nextTile = 0;
        }

        public void Clear()
        {
            _activations = null;
            _count = 0;
        }

        /// <summary>Splits a matrix-vector product's rows into <paramref name="threads"/> shares (see <see cref="RowShares"/>).</summary>
        public void PlanShares(int threads) =>
            _shares.Plan(threads, Rows, Math.Max(16, (int)(ShareChunkBytes / _products[0].Weights.RowBytes) & ~15));

        /// <remarks>The pool's range is not used: a matrix-vector product takes rows from its <see cref="RowShares"/> (whose
        /// split is the pool's), a batch takes tiles.</remarks>
        public void Execute(int start, int end, int threadIndex)
        {
            var x = _activations!;
            if (x.Rows == 1)
            {
                while (_shares.TakeNext(threadIndex, out var first, out var last))
                {
                    for (var i = 0; i < _count; i++)
                    {
                        ref var product = ref _products[i];
                        var from = Math.Max(first, product.Start) - product.Start;
                        var to = Math.Min(last, product.Start + product.Weights.Rows) - product.Start;
                        if (from < to)
                        {
                            product.Vector(x, from, to);
                        }
                    }
                }

                return;
            }

            // A batch is compute-bound and takes milliseconds: threads take tiles as they go instead of keeping to the pool's
            // even split, so a core slowed by its neighbours (a busy host) does not leave the other waiting at the barrier.
            // Every output is computed by the same kernel whichever thread takes its tile, so results do not change.
            int tile;
            while ((tile = Interlocked.Add(ref _nextTile, TileRows) - TileRows) < Rows)
            {
                var i = _count - 1;
                while (_products[i].Start > tile)
                {
                    i--;
                }

                ref var product = ref _products[i];
                var first = tile - product.Start;
                if (first < product.Weights.Rows)
                {
                    product.Tile(x, first, Math.Min(product.Weights.Rows, first + TileRows));
                }
            }
        }
    }

    /// <summary>One matrix of a run: its weights, output, kernels and first row in the run's joint range.</summary>
    private struct Product
    {
        public WeightMatrix Weights;
        public float* Output;
        public int Start;
        public delegate*<byte*, byte*, int, float> Kernel;
        public delegate*<byte*, long, byte*, int, float*, void> Kernel4;
        public delegate*<byte*, long, byte*, long, int, float*, long, void> Kernel4x4;
        public delegate*<byte*, long, byte*, long, int, float*, long, void> Kernel4x8;
        /// <summary>Rows per call of <see cref="KernelWide"/> and <see cref="KernelWidex4"/> (repacked Q4_0), or 0 when there are none.</summary>
        public int WideRows;
        public delegate*<byte*, long, byte*, int*, int, float*, void> KernelWide;
        public delegate*<byte*, long, byte*, long, int*, int, int, float*, long, void> KernelWidex4;
        public delegate*<byte*, long, byte*, long, int*, int, int, float*, long, void> Kernel16x8;

        public void Configure(in WeightMatrix w, ActivationBuffer x, float* y, int start, bool scalar)
        {
            Weights = w;
            Output = y;
            Start = start;
            if (w.RepackedByLlamaCpp)
            {
                // Q4_0 matrices that llama.cpp repacks at load time multiply in its repacked order.
                Kernel = VecDot.SelectQ4_0Interleaved(scalar);
                Kernel4 = !scalar && VecDot.IsSimdSupported ? &VecDot.Q4_0InterleavedRows4Simd : null;
                Kernel4x4 = !scalar && VecDot.IsSimdSupported ? &VecDot.Q4_0InterleavedRows4x4Simd : null;
                Kernel4x8 = null;
                // Several rows per call: sixteen with AVX-512, eight with AVX2 (none for the scalar path).
                var rows16 = !scalar && VecDot.IsAvx512Supported;
                var rows8 = !scalar && !rows16 && VecDot.IsSimdSupported;
                WideRows = rows16 ? 16 : rows8 ? 8 : 0;
                // Scales widened the short way where every scale of the matrix is a normal number or a zero (all real models).
                if (w.ScalesNormalOrZero)
                {
                    SetWideKernels<NormalScales>();
                }
                else
                {
                    SetWideKernels<AnyScales>();
                }
            }
            else
            {
                Kernel4x4 = VecDot.SelectRows4x4(w.Type, scalar);
                Kernel4x8 = VecDot.SelectRows4x8(w.Type, scalar);
                WideRows = 0;
                KernelWide = null;
                KernelWidex4 = null;
                Kernel16x8 = null;
                Kernel = x.Rows == 1 ? VecDot.Select(w.Type, scalar) : VecDot.SelectBatch(w.Type, w.Rows, w.Cols, scalar);
                Kernel4 = VecDot.SelectRows4(w.Type, scalar);
            }
        }

        /// <summary>
        /// The repacked Q4_0 kernels that take <see cref="WideRows"/> rows a call (sixteen with AVX-512, eight with AVX2, none
        /// on the scalar path), widening scales as <typeparamref name="TScales"/> says.
        /// </summary>
        private void SetWideKernels<TScales>()
            where TScales : struct, IHalfScales
        {
            KernelWide = WideRows switch
            {
                16 => &VecDot.Q4_0InterleavedRows16Avx512<TScales>,
                8 => &VecDot.Q4_0InterleavedRows8Simd<TScales>,
                _ => null,
            };
            KernelWidex4 = WideRows switch
            {
                16 => &VecDot.Q4_0InterleavedRows16x4Avx512<TScales>,
                8 => &VecDot.Q4_0InterleavedRows8x4Simd<TScales>,
                _ => null,
            };
            Kernel16x8 = WideRows == 16 ? &VecDot.Q4_0InterleavedRows16x8Avx512<TScales> : null;
        }

        /// <summary>Rows [start, end) of a matrix-vector product.</summary>
        public readonly void Vector(ActivationBuffer x, int start, int end)
        {
            var w = Weights;
            var y = Output;
            var kernel = Kernel;
            var kernel4 = Kernel4;
            var kernelWide = KernelWide;
            var wide = WideRows;
            var cols = w.Cols;
            var xr = x.Row(0);
            var r = start;
            if (kernelWide != null)
            {
                for (; r + wide <= end; r += wide)
                {
                    kernelWide(w.Row(r), w.RowBytes, xr, x.NibbleOffsets(0), cols, y + r);
                }
            }

            if (kernel4 != null)
            {
                for (; r + 4 <= end; r += 4)
                {
                    kernel4(w.Row(r), w.RowBytes, xr, cols, y + r);
                }
            }

            for (; r < end; r++)
            {
                y[r] = kernel(w.Row(r), xr, cols);
            }
        }

        /// <summary>Weight rows [tile, tileEnd) (at most <see cref="TileRows"/>) times every activation row of a batch.</summary>
        public readonly void Tile(ActivationBuffer x, int tile, int tileEnd)
        {
            var w = Weights;
            var y = Output;
            var kernel = Kernel;
            var kernel4 = Kernel4;
            var cols = w.Cols;
            var rows = w.Rows;
            var batch = x.Rows;
            var kernel4x4 = Kernel4x4;
            var kernelWidex4 = KernelWidex4;
            var wide = WideRows;
            var b = 0;
            var kernel16x8 = Kernel16x8;
            if (kernel16x8 != null && tileEnd - tile == TileRows)
            {
                // Repacked Q4_0: sixteen weight rows × eight activation rows, the scales widened once for the eight.
                for (; b + 8 <= batch; b += 8)
                {
                    kernel16x8(w.Row(tile), w.RowBytes, x.Row(b), x.RowStride, x.NibbleOffsets(b), x.NibbleOffsetsStride, cols, y + ((long)b * rows) + tile, rows);
                }
            }

            var kernel4x8 = Kernel4x8;
            if (kernel4x8 != null)
            {
                // Eight activation rows at a time where there is such a kernel: weight blocks prepared once for eight.
                for (; b + 8 <= batch; b += 8)
                {
                    var yb = y + ((long)b * rows);
                    var r = tile;
                    for (; r + 4 <= tileEnd; r += 4)
                    {
                        kernel4x8(w.Row(r), w.RowBytes, x.Row(b), x.RowStride, cols, yb + r, rows);
                    }

                    for (; r < tileEnd; r++)
                    {
                        for (var j = 0; j < 8; j++)
                        {
                            yb[((long)j * rows) + r] = kernel(w.Row(r), x.Row(b + j), cols);
                        }
                    }
                }
            }

            if (kernel4x4 != null)
            {
                // Four activation rows at a time: each weight block is unpacked once for the four.
                for (; b + 4 <= batch; b += 4)
                {
                    var yb = y + ((long)b * rows);
                    var r = tile;
                    if (kernelWidex4 != null)
                    {
                        for (; r + wide <= tileEnd; r += wide)
                        {
                            kernelWidex4(w.Row(r), w.RowBytes, x.Row(b), x.RowStride, x.NibbleOffsets(b), x.NibbleOffsetsStride, cols, yb + r, rows);
                        }
                    }

                    for (; r + 4 <= tileEnd; r += 4)
                    {
                        kernel4x4(w.Row(r), w.RowBytes, x.Row(b), x.RowStride, cols, yb + r, rows);
                    }

                    for (; r < tileEnd; r++)
                    {
                        for (var j = 0; j < 4; j++)
                        {
                            yb[((long)j * rows) + r] = kernel(w.Row(r), x.Row(b + j), cols);
                        }
                    }
                }
            }

            for (; b < batch; b++)
            {
                var xr = x.Row(b);
                var yb = y + ((long)b * rows);
                var r = tile;
                if (kernel4 != null)
                {
                    for (; r + 4 <= tileEnd; r += 4)
                    {
                        kernel4(w.Row(r), w.RowBytes, xr, cols, yb + r);
                    }
                }

                for (; r < tileEnd; r++)
                {
                    yb[r] = kernel(w.Row(r), xr, cols);
                }
            }
        }
    }
}
