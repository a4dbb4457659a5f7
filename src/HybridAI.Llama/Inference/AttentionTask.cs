using System.Numerics.Tensors;

namespace HybridAI.Llama;

/// <summary>
/// Causal grouped-query attention over the KV cache, split over (token, head) pairs across the compute pool, computed exactly
/// as llama.cpp's graph does without flash attention (see <see cref="VectorMath"/> for the float operations):
/// <list type="number">
/// <item>It attends over the first n_kv cells, n_kv = min(cells, max(32, pad32(used cells))), a multiple of 32 since the
/// cache's cells are (see <see cref="KvCache"/>); cells after the token's position are masked to -inf, so their softmax
/// weight is 0.</item>
/// <item>kq = K · q: the query is not contiguous in ggml's graph, so llamafile's sgemm is skipped and F32 keys use
/// ggml_vec_dot_f32. F16 keys: q is rounded to F16; a batch of 2+ tokens goes through tinyBLAS when the head dimension is a
/// multiple of its 16 lanes, otherwise (and for one token) through ggml_vec_dot_f16.</item>
/// <item>soft_max_ext: kq · scale (+ mask), then ggml_vec_soft_max_f32 and the (float)(1/sum) scaling.</item>
/// <item>kqv = Vᵀ · weights (V is stored transposed): a batch goes through tinyBLAS (n_kv is a multiple of 32), one token
/// through ggml_vec_dot_f32 (F32) or, with the weights rounded to F16, ggml_vec_dot_f16.</item>
/// </list>
/// </summary>
internal sealed class AttentionTask : IComputeTask
{
    private readonly LlamaHyperparameters _hp;
    private readonly KvCache _cache;
    private readonly float _scale;
    private readonly int _groupSize;
    private readonly float[][] _scores;    // per worker: [cells]
    private readonly float[][] _query;     // per worker: [headDim]
    private readonly float[][] _keyRows;   // per worker, F16 cache: one KV head's keys widened, [cells, headDim]
    private readonly float[][] _valueRows; // per worker, F16 cache: one KV head's transposed values widened, [headDim, cells]
    private readonly Half[][] _halves;     // per worker, F16 cache: a query or a row of weights rounded to F16, [max(cells, headDim)]

    private float[] _q = [];
    private float[] _output = [];
    private int _layer;
    private int _firstRow;
    private int _basePosition;
    private int _cells;
    private bool _batched;

    public AttentionTask(LlamaHyperparameters hp, KvCache cache, int threads)
    {
        _hp = hp;
        _cache = cache;
        _scale = 1.0f / MathF.Sqrt(hp.HeadDimension);
        _groupSize = hp.HeadCount / hp.HeadCountKv;
        _scores = new float[threads][];
        _query = new float[threads][];
        _keyRows = new float[threads][];
        _valueRows = new float[threads][];
        _halves = new Half[threads][];
        var widened = cache.Type == KvCacheType.F16 ? checked(cache.Cells * hp.HeadDimension) : 0;
        for (var i = 0; i < threads; i++)
        {
            _scores[i] = new float[cache.Cells];
            _query[i] = new float[hp.HeadDimension];
            _keyRows[i] = new float[widened];
            _valueRows[i] = new float[widened];
            _halves[i] = new Half[cache.Type == KvCacheType.F16 ? Math.Max(cache.Cells, hp.HeadDimension) : 0];
        }
    }

    /// <summary>
    /// Computes attention for batch rows [firstRow, firstRow + rows) of <paramref name="q"/> into rows [0, rows) of
    /// <paramref name="output"/>; row i sits at position <paramref name="basePosition"/> + i and sees positions 0..itself.
    /// <paramref name="batchSize"/> is the number of tokens in the whole batch: it decides llama.cpp's matmul path.
    /// </summary>
    public void Run(ComputePool pool, int layer, float[] q, float[] output, int firstRow, int rows, int basePosition, int batchSize)
    {
        _q = q;
        _output = output;
        _layer = layer;
        _firstRow = firstRow;
        _basePosition = basePosition;
        var used = basePosition + batchSize;
        _cells = Math.Min(_cache.Cells, Math.Max(KvCache.CellPadding, (used + KvCache.CellPadding - 1) / KvCache.CellPadding * KvCache.CellPadding));
        _batched = batchSize >= 2;
        pool.Run(this, rows * _hp.HeadCount);
    }

    /// <remarks>
    /// The items of the range are taken one KV head at a time, so that with an F16 cache each head's keys and values are
    /// widened to float once per range (exact, as ggml's F16 kernels widen them) rather than once per query head and token.
    /// </remarks>
    public void Execute(int start, int end, int threadIndex)
    {
        for (var kvHead = 0; kvHead < _hp.HeadCountKv; kvHead++)
        {
            ExecuteKvHead(start, end, threadIndex, kvHead);
        }
    }

    private void ExecuteKvHead(int start, int end, int threadIndex, int kvHead)
    {
        var d = _hp.HeadDimension;
        var cells = _cells;
        var scores = _scores[threadIndex].AsSpan(0, cells);
        var query = _query[threadIndex].AsSpan();
        var keyRows = _keyRows[threadIndex];
        var valueRows = _valueRows[threadIndex];
        var halves = _halves[threadIndex];
        var f16 = _cache.Type == KvCacheType.F16;
        var rowLength = _cache.RowLength;
        var context = _cache.Cells;
        var kvOffset = kvHead * d;
        var keysWidened = 0;
        var valuesWidened = false;

        // tinyBLAS takes a batch's products only when their length is a multiple of its register width.
        var keysTiled = _batched && VectorMath.FitsTiled(d);
        var valuesTiled = _batched && VectorMath.FitsTiled(cells);
        for (var item = start; item < end; item++)
        {
            var row = item / _hp.HeadCount;
            var head = item % _hp.HeadCount;
            if (head / _groupSize != kvHead)
            {
                continue;
            }

            var batchRow = _firstRow + row;
            var position = _basePosition + batchRow;

            var q = _q.AsSpan((batchRow * _hp.QueryLength) + (head * d), d);
            if (f16)
            {
                RoundToHalf(q, query, halves);
            }
            else
            {
                q.CopyTo(query);
            }

            // scores[t] = (k_t · q) · scale, -inf past the token's position.
            if (f16)
            {
                var keys = _cache.KeysF16(_layer);
                for (; keysWidened <= position; keysWidened++)
                {
                    TensorPrimitives.ConvertToSingle(keys.Slice((keysWidened * rowLength) + kvOffset, d), keyRows.AsSpan(keysWidened * d, d));
                }

                var seen = scores[..(position + 1)];
                var keysSeen = keyRows.AsSpan(0, seen.Length * d);
                if (keysTiled)
                {
                    VectorMath.DotTiledRows(keysSeen, d, query, seen);
                }
                else
                {
                    VectorMath.DotF16Rows(keysSeen, d, query, seen);
                }

                TensorPrimitives.Multiply(seen, _scale, seen);
            }
            else
            {
                var keys = _cache.KeysF32(_layer);
                for (var t = 0; t <= position; t++)
                {
                    scores[t] = VectorMath.DotF32(keys.Slice((t * rowLength) + kvOffset, d), query) * _scale;
                }
            }

            // Cells past the token are masked to -inf, so their weights are exactly +0 and each of their 16-wide chunks adds +0
            // to the softmax's sum: the softmax runs over the live chunks only, and the rest is set to the zeros it would give.
            var live = Math.Min(cells, (position + 16) & ~15);
            scores[(position + 1)..live].Fill(float.NegativeInfinity);
            VectorMath.SoftMax(scores[..live]);
            scores[live..].Clear();

            // out[i] = Vᵀ[i] · weights
            var output = _output.AsSpan((row * _hp.QueryLength) + (head * d), d);
            if (f16)
            {
                RoundToHalf(scores[..live], scores[..live], halves);

                var v = _cache.ValuesF16(_layer);
                if (!valuesWidened)
                {
                    for (var i = 0; i < d; i++)
                    {
                        TensorPrimitives.ConvertToSingle(v.Slice((kvOffset + i) * context, cells), valueRows.AsSpan(i * context, cells));
                    }

                    valuesWidened = true;
                }

                if (valuesTiled)
                {
                    // A weight of +0 adds exactly nothing to tinyBLAS's accumulators (which start at +0, so never hold -0): the
                    // chunks past the live ones are skipped.
                    VectorMath.DotTiledRows(valueRows.AsSpan(0, ((d - 1) * context) + live), context, scores[..live], output);
                }
                else
                {
                    VectorMath.DotF16Rows(valueRows.AsSpan(0, ((d - 1) * context) + cells), context, scores, output);
                }
            }
            else
            {
                var v = _cache.ValuesF32(_layer);
                if (valuesTiled)
                {
                    VectorMath.DotTiledRows(v.Slice(kvOffset * context, ((d - 1) * context) + live), context, scores[..live], output);
                }
                else
                {
                    for (var i = 0; i < d; i++)
                    {
                        output[i] = VectorMath.DotF32(v.Slice((kvOffset + i) * context, cells), scores);
                    }
                }
            }
        }
    }

    /// <summary>destination = (float)(Half)source element by element (round to nearest even), vectorized through <paramref name="scratch"/>.</summary>
    private static void RoundToHalf(ReadOnlySpan<float> source, Span<float> destination, Half[] scratch)
    {
        var halves = scratch.AsSpan(0, source.Length);
        TensorPrimitives.ConvertToHalf(source, halves);
        TensorPrimitives.ConvertToSingle(halves, destination);
    }
}
