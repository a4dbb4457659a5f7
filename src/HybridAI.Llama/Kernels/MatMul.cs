namespace HybridAI.Llama;

/// <summary>
/// Weight × activation products: <c>y[b·rows + r] = Σ_c W[r, c] · x[b, c]</c> for every activation row b. One activation
/// row is a matrix-vector product; several are tiled so that a tile of weight rows is read from memory once for all of them.
/// </summary>
/// <remarks>Thread-safe as long as concurrent calls use different pools and outputs; allocation-free in steady state.</remarks>
internal static unsafe class MatMul
{
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
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != w.Cols || x.Type != GgmlTypeInfo.VecDotType(w.Type))
        {
            throw new ArgumentException($"Activations ({x.Rows}×{x.Cols} for {x.WeightType}) do not match weights ({w.Rows}×{w.Cols} {w.Type}).", nameof(x));
        }

        var task = t_task ??= new MatMulTask();
        task.Weights = w;
        task.Activations = x;
        task.Output = y;
        task.NextTile = 0;
        if (w.RepackedByLlamaCpp)
        {
            task.Kernel = VecDot.SelectQ4_0Interleaved(scalar);
            task.Kernel4 = !scalar && VecDot.IsSimdSupported ? &VecDot.Q4_0InterleavedRows4Simd : null;
            task.Kernel4x4 = !scalar && VecDot.IsSimdSupported ? &VecDot.Q4_0InterleavedRows4x4Simd : null;
            task.Kernel4x8 = null;
            // Several rows per call: sixteen with AVX-512, eight with AVX2 (none for the scalar path).
            var rows16 = !scalar && VecDot.IsAvx512Supported;
            var rows8 = !scalar && !rows16 && VecDot.IsSimdSupported;
            task.WideRows = rows16 ? 16 : rows8 ? 8 : 0;
            task.KernelWide = rows16 ? &VecDot.Q4_0InterleavedRows16Avx512 : rows8 ? &VecDot.Q4_0InterleavedRows8Simd : null;
            task.KernelWidex4 = rows16 ? &VecDot.Q4_0InterleavedRows16x4Avx512 : rows8 ? &VecDot.Q4_0InterleavedRows8x4Simd : null;
            task.Kernel16x8 = rows16 ? &VecDot.Q4_0InterleavedRows16x8Avx512 : null;
        }
        else
        {
            task.Kernel4x4 = VecDot.SelectRows4x4(w.Type, scalar);
            task.Kernel4x8 = VecDot.SelectRows4x8(w.Type, scalar);
            task.WideRows = 0;
            task.KernelWide = null;
            task.KernelWidex4 = null;
            task.Kernel16x8 = null;
            task.Kernel = x.Rows == 1 ? VecDot.Select(w.Type, scalar) : VecDot.SelectBatch(w.Type, w.Rows, w.Cols, scalar);
            task.Kernel4 = VecDot.SelectRows4(w.Type, scalar);
        }

        try
        {
            if (pool is null || (long)w.Rows * w.Cols * x.Rows < MinParallelElements)
            {
                task.PlanShares(1);
                task.Execute(0, w.Rows, 0);
            }
            else
            {
                task.PlanShares(pool.ThreadCount);
                pool.Run(task, w.Rows);
            }
        }
        finally
        {
            task.Activations = null;
        }
    }

    private sealed class MatMulTask : IComputeTask
    {
        public WeightMatrix Weights;
        public ActivationBuffer? Activations;
        public float* Output;
        public delegate*<byte*, byte*, int, float> Kernel;
        public delegate*<byte*, long, byte*, int, float*, void> Kernel4;
        public delegate*<byte*, long, byte*, long, int, float*, long, void> Kernel4x4;
        public delegate*<byte*, long, byte*, long, int, float*, long, void> Kernel4x8;
        /// <summary>Rows per call of <see cref="KernelWide"/> and <see cref="KernelWidex4"/> (repacked Q4_0), or 0 when there are none.</summary>
        public int WideRows;
        public delegate*<byte*, long, byte*, int*, int, float*, void> KernelWide;
        public delegate*<byte*, long, byte*, long, int*, int, int, float*, long, void> KernelWidex4;
        public delegate*<byte*, long, byte*, long, int*, int, int, float*, long, void> Kernel16x8;

        /// <summary>The first weight row of the next batch tile not yet taken by a thread.</summary>
        public int NextTile;

        /// <summary>Bytes of weights a thread takes from a share at a time in a matrix-vector product.</summary>
        private const int ShareChunkBytes = 64 * 1024;

        private readonly RowShares _shares = new();

        /// <summary>Splits a matrix-vector product's rows into <paramref name="threads"/> shares (see <see cref="RowShares"/>).</summary>
        public void PlanShares(int threads) =>
            _shares.Plan(threads, Weights.Rows, Math.Max(16, (int)(ShareChunkBytes / Weights.RowBytes) & ~15));

        /// <remarks>The pool's range is not used: a matrix-vector product takes rows from its <see cref="RowShares"/> (whose
        /// split is the pool's), a batch takes tiles.</remarks>
        public void Execute(int start, int end, int threadIndex)
        {
            if (Activations!.Rows == 1)
            {
                while (_shares.TakeNext(threadIndex, out var first, out var last))
                {
                    Vector(first, last);
                }

                return;
            }

            Batch();
        }

        /// <summary>Rows [start, end) of a matrix-vector product.</summary>
        private void Vector(int start, int end)
        {
            var w = Weights;
            var x = Activations!;
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
                    kernelWide(w.Row(r), w.RowBytes, xr, x.BlockSums(0), cols, y + r);
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

        /// <summary>A batch: threads take 16-row tiles of every activation row until none is left.</summary>
        private void Batch()
        {
            var w = Weights;
            var x = Activations!;
            var y = Output;
            var kernel = Kernel;
            var kernel4 = Kernel4;
            var cols = w.Cols;
            var rows = w.Rows;
            var batch = x.Rows;

            // A batch is compute-bound and takes milliseconds: threads take tiles as they go instead of keeping to the pool's
            // even split, so a core slowed by its neighbours (a busy host) does not leave the other waiting at the barrier.
            // Every output is computed by the same kernel whichever thread takes its tile, so results do not change.
            var kernel4x4 = Kernel4x4;
            var kernelWidex4 = KernelWidex4;
            var wide = WideRows;
            int tile;
            while ((tile = Interlocked.Add(ref NextTile, TileRows) - TileRows) < rows)
            {
                var tileEnd = Math.Min(rows, tile + TileRows);
                var b = 0;
                var kernel16x8 = Kernel16x8;
                if (kernel16x8 != null && tileEnd - tile == TileRows)
                {
                    // Repacked Q4_0: sixteen weight rows × eight activation rows, the scales widened once for the eight.
                    for (; b + 8 <= batch; b += 8)
                    {
                        kernel16x8(w.Row(tile), w.RowBytes, x.Row(b), x.RowStride, x.BlockSums(b), x.BlockSumsStride, cols, y + ((long)b * rows) + tile, rows);
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
                                kernelWidex4(w.Row(r), w.RowBytes, x.Row(b), x.RowStride, x.BlockSums(b), x.BlockSumsStride, cols, yb + r, rows);
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
}
