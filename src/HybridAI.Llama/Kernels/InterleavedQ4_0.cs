using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <summary>
/// Q4_0 weights × Q8_0 activations as llama.cpp's CPU backend computes them on AVX2 after its load-time repacking of Q4_0
/// matrices whose row count is a multiple of 8 (ggml-cpu-aarch64's <c>q4_0_8x8_q8_0</c> gemv/gemm): per output, each block's
/// integer dot product (exact) is converted to float and accumulated with one FMA by d_w·d_x, block after block, with no
/// lane split and no horizontal sum. Plain <c>ggml_vec_dot_q4_0_q8_0</c> splits blocks into 8 lanes, so the two differ by
/// float ulps.
/// </summary>
/// <remarks>Stateless apart from the per-thread task; allocation-free in steady state.</remarks>
internal static unsafe class InterleavedQ4_0
{
    private const int Q8_0Bytes = 34;
    private const int Q4_0Bytes = 18;

    [ThreadStatic]
    private static ProductTask? t_task;

    /// <summary>Gets whether llama.cpp would repack <paramref name="w"/>: Q4_0 with a multiple of 8 rows (tied embeddings are not repacked).</summary>
    public static bool Applies(in WeightMatrix w) => w.Type == GgmlType.Q4_0 && w.Rows % 8 == 0;

    /// <summary>y[b·rows + r] = W[r] · x[b] for every loaded activation row b (activations loaded for Q4_0, i.e. Q8_0 blocks).</summary>
    public static void Multiply(in WeightMatrix w, ActivationBuffer x, float* y, ComputePool pool)
    {
        var task = t_task ??= new ProductTask();
        task.Weights = w;
        task.Activations = x;
        task.Output = y;
        try
        {
            pool.Run(task, w.Rows);
        }
        finally
        {
            task.Activations = null;
        }
    }

    /// <summary>One output: Σ_blocks fma((float)isum_b, d_w·d_x, acc).</summary>
    public static float Dot(byte* w, byte* x, int n)
    {
        var acc = 0.0f;
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q4_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var d = Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb);
            acc = MathF.FusedMultiplyAdd(BlockSum(wb + 2, (sbyte*)(xb + 2)), d, acc);
        }

        return acc;
    }

    private static int BlockSum(byte* qs, sbyte* qx)
    {
        if (Avx2.IsSupported)
        {
            var packed = Vector128.Load(qs);
            var low = Vector128.Create((byte)0x0F);
            var nibbles = Vector256.Create(packed & low, (packed.AsUInt16() >> 4).AsByte() & low);
            var qw = nibbles.AsSByte() - Vector256.Create((sbyte)8);
            var qv = Vector256.Load(qx);
            var pairs = Avx2.MultiplyAddAdjacent(Avx2.Sign(qw, qw).AsByte(), Avx2.Sign(qv, qw));
            return Vector256.Sum(Avx2.MultiplyAddAdjacent(pairs, Vector256.Create((short)1)));
        }

        var s = 0;
        for (var e = 0; e < 16; e++)
        {
            s += (((qs[e] & 0xF) - 8) * qx[e]) + (((qs[e] >> 4) - 8) * qx[e + 16]);
        }

        return s;
    }

    private sealed class ProductTask : IComputeTask
    {
        public WeightMatrix Weights;
        public ActivationBuffer? Activations;
        public float* Output;

        public void Execute(int start, int end, int threadIndex)
        {
            var w = Weights;
            var x = Activations!;
            for (var b = 0; b < x.Rows; b++)
            {
                var xr = x.Row(b);
                var y = Output + (b * w.Rows);
                for (var r = start; r < end; r++)
                {
                    y[r] = Dot(w.Row(r), xr, w.Cols);
                }
            }
        }
    }
}
