using System.Numerics.Tensors;

namespace HybridAI.Llama;

/// <summary>
/// Causal grouped-query attention over the KV cache, split over (token, head) pairs across the compute pool.
/// It rounds as llama.cpp does with an F16 cache: the query is rounded to F16 before the K·q products and the softmax
/// weights are rounded to F16 before they weight V; products are accumulated in F32 and the softmax sum in double.
/// </summary>
internal sealed class AttentionTask : IComputeTask
{
    private readonly LlamaHyperparameters _hp;
    private readonly KvCache _cache;
    private readonly float _scale;
    private readonly int _groupSize;
    private readonly float[][] _scores;   // per worker: [context]
    private readonly float[][] _query;    // per worker: [headDim]
    private readonly float[][] _row;      // per worker: [headDim]

    private float[] _q = [];
    private float[] _output = [];
    private int _layer;
    private int _firstRow;
    private int _basePosition;

    public AttentionTask(LlamaHyperparameters hp, KvCache cache, int threads)
    {
        _hp = hp;
        _cache = cache;
        _scale = 1.0f / MathF.Sqrt(hp.HeadDimension);
        _groupSize = hp.HeadCount / hp.HeadCountKv;
        _scores = new float[threads][];
        _query = new float[threads][];
        _row = new float[threads][];
        for (var i = 0; i < threads; i++)
        {
            _scores[i] = new float[cache.ContextSize];
            _query[i] = new float[hp.HeadDimension];
            _row[i] = new float[hp.HeadDimension];
        }
    }

    /// <summary>
    /// Computes attention for batch rows [firstRow, firstRow + rows) of <paramref name="q"/> into rows [0, rows) of
    /// <paramref name="output"/>; row i sits at position <paramref name="basePosition"/> + i and sees positions 0..itself.
    /// </summary>
    public void Run(ComputePool pool, int layer, float[] q, float[] output, int firstRow, int rows, int basePosition)
    {
        _q = q;
        _output = output;
        _layer = layer;
        _firstRow = firstRow;
        _basePosition = basePosition;
        pool.Run(this, rows * _hp.HeadCount);
    }

    public void Execute(int start, int end, int threadIndex)
    {
        var d = _hp.HeadDimension;
        var scores = _scores[threadIndex];
        var query = _query[threadIndex];
        var accumulator = _row[threadIndex];
        var f16 = _cache.Type == KvCacheType.F16;
        for (var item = start; item < end; item++)
        {
            var row = item / _hp.HeadCount;
            var head = item % _hp.HeadCount;
            var batchRow = _firstRow + row;
            var position = _basePosition + batchRow;
            var kvOffset = head / _groupSize * d;
            var rowLength = _cache.RowLength;

            var q = _q.AsSpan((batchRow * _hp.QueryLength) + (head * d), d);
            if (f16)
            {
                for (var i = 0; i < d; i++)
                {
                    query[i] = (float)(Half)q[i];
                }
            }
            else
            {
                q.CopyTo(query);
            }

            // scores[t] = (k_t · q) · scale
            var count = position + 1;
            if (f16)
            {
                var keys = _cache.KeysF16(_layer);
                for (var t = 0; t < count; t++)
                {
                    scores[t] = DotHalf(keys.Slice((t * rowLength) + kvOffset, d), query) * _scale;
                }
            }
            else
            {
                var keys = _cache.KeysF32(_layer);
                for (var t = 0; t < count; t++)
                {
                    scores[t] = TensorPrimitives.Dot(keys.Slice((t * rowLength) + kvOffset, d), query) * _scale;
                }
            }

            // softmax: e^(s - max), summed in double, then scaled by 1/sum.
            var weights = scores.AsSpan(0, count);
            var max = TensorPrimitives.Max(weights);
            double sum = 0;
            for (var t = 0; t < count; t++)
            {
                var value = MathF.Exp(weights[t] - max);
                weights[t] = value;
                sum += value;
            }

            var inverse = (float)(1.0 / sum);
            TensorPrimitives.Multiply(weights, inverse, weights);

            // out = Σ_t w_t · v_t
            accumulator.AsSpan().Clear();
            if (f16)
            {
                var values = _cache.ValuesF16(_layer);
                for (var t = 0; t < count; t++)
                {
                    var weight = (float)(Half)weights[t];
                    var v = values.Slice((t * rowLength) + kvOffset, d);
                    for (var i = 0; i < d; i++)
                    {
                        accumulator[i] += weight * (float)v[i];
                    }
                }
            }
            else
            {
                var values = _cache.ValuesF32(_layer);
                for (var t = 0; t < count; t++)
                {
                    TensorPrimitives.MultiplyAdd(values.Slice((t * rowLength) + kvOffset, d), weights[t], accumulator, accumulator);
                }
            }

            accumulator.CopyTo(_output.AsSpan((row * _hp.QueryLength) + (head * d), d));
        }
    }

    private static float DotHalf(ReadOnlySpan<Half> keys, ReadOnlySpan<float> query)
    {
        var sum = 0.0f;
        for (var i = 0; i < keys.Length; i++)
        {
            sum += (float)keys[i] * query[i];
        }

        return sum;
    }
}
