using System.Numerics.Tensors;

namespace HybridAI.Llama;

/// <summary>
/// One conversation's state on a loaded <see cref="LlamaModel"/>: the KV cache, the scratch buffers and the worker threads,
/// and the forward pass that fills them. It computes as llama.cpp's CPU backend does, so greedy output matches it token for token.
/// </summary>
/// <remarks>Not thread-safe: one caller at a time. Several contexts may share one model.</remarks>
internal sealed unsafe class LlamaContext : ITokenDecoder, IDisposable
{
    /// <summary>Most tokens evaluated in one pass; longer prompts are processed in chunks of this size.</summary>
    public const int MaxBatch = 256;

    private readonly LlamaModel _model;
    private readonly LlamaHyperparameters _hp;
    private readonly LlamaWeights _weights;
    private readonly KvCache _cache;
    private readonly ComputePool _pool;
    private readonly Rope _rope;
    private readonly AttentionTask _attention;
    private readonly ActivationBuffer _activations;
    private readonly int[] _tokens;
    private int _length;

    // Scratch, row-major [batch, width]; pinned so kernels can take pointers.
    private readonly float[] _x;        // [batch, embedding] residual stream
    private readonly float[] _xb;       // [batch, embedding] normed input / projection output
    private readonly float[] _q;        // [batch, heads × headDim]
    private readonly float[] _k;        // [batch, kvHeads × headDim]
    private readonly float[] _v;        // [batch, kvHeads × headDim]
    private readonly float[] _attn;     // [batch, heads × headDim]
    private readonly float[] _gate;     // [batch, feedForward]
    private readonly float[] _up;       // [batch, feedForward]
    private readonly float[] _logits;   // [vocabulary]

    public LlamaContext(LlamaModel model, int contextSize, KvCacheType kvCacheType, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(contextSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _model = model;
        _hp = model.Hyperparameters;
        _weights = model.Weights;
        ContextSize = contextSize;
        _cache = new KvCache(kvCacheType, _hp.BlockCount, contextSize, _hp.KeyValueLength);
        _pool = new ComputePool(threads);
        _rope = new Rope(_hp, _weights.RopeFactors is { } factors ? factors.Span : default);
        _attention = new AttentionTask(_hp, _cache, threads);
        var widest = Math.Max(Math.Max(_hp.EmbeddingLength, _hp.FeedForwardLength), _hp.QueryLength);
        _activations = new ActivationBuffer(widest, MaxBatch);
        _tokens = new int[contextSize];

        _x = Pinned(MaxBatch * _hp.EmbeddingLength);
        _xb = Pinned(MaxBatch * _hp.EmbeddingLength);
        _q = Pinned(MaxBatch * _hp.QueryLength);
        _k = Pinned(MaxBatch * _hp.KeyValueLength);
        _v = Pinned(MaxBatch * _hp.KeyValueLength);
        _attn = Pinned(MaxBatch * _hp.QueryLength);
        _gate = Pinned(MaxBatch * _hp.FeedForwardLength);
        _up = Pinned(MaxBatch * _hp.FeedForwardLength);
        _logits = Pinned(_hp.VocabularySize);
    }

    public LlamaModel Model => _model;

    public int VocabularySize => _hp.VocabularySize;

    public int ContextSize { get; }

    public KvCacheType KvCacheType => _cache.Type;

    /// <summary>Bytes held by the KV cache.</summary>
    public long KvCacheBytes => _cache.SizeInBytes;

    public ReadOnlySpan<int> Tokens => _tokens.AsSpan(0, _length);

    /// <summary>Gets or sets whether to run the scalar twins of the kernels (tests compare them with the SIMD kernels).</summary>
    internal bool UseScalarKernels { get; set; }

    /// <summary>
    /// Gets or sets whether products that read the same input (q, k, v; gate, up) share one quantization and one pool run
    /// (the default). Tests check that both ways give the same bits; the decode probe times one against the other.
    /// </summary>
    internal bool FuseSharedInputProducts { get; set; } = true;

    public ReadOnlySpan<float> Decode(scoped ReadOnlySpan<int> tokens, CancellationToken cancellationToken = default)
    {
        if (tokens.IsEmpty)
        {
            throw new ArgumentException("At least one token is needed.", nameof(tokens));
        }

        if (tokens.Length > ContextSize - _length)
        {
            throw new ArgumentException(
                $"The context holds {_length} of {ContextSize} tokens; {tokens.Length} more do not fit. Use a larger context size or a shorter conversation.",
                nameof(tokens));
        }

        foreach (var token in tokens)
        {
            if ((uint)token >= (uint)_hp.VocabularySize)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), token, $"Token ids must be in [0, {_hp.VocabularySize}).");
            }
        }

        for (var start = 0; start < tokens.Length; start += MaxBatch)
        {
            var batch = tokens.Slice(start, Math.Min(MaxBatch, tokens.Length - start));
            Forward(batch, cancellationToken);
            batch.CopyTo(_tokens.AsSpan(_length));
            _length += batch.Length;
        }

        return _logits;
    }

    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _length);
        _length = length;
    }

    public void Dispose() => _pool.Dispose();

    /// <summary>Runs the transformer over <paramref name="batch"/> at positions starting at the current length; leaves the last token's logits.</summary>
    private void Forward(ReadOnlySpan<int> batch, CancellationToken cancellationToken)
    {
        var n = batch.Length;
        var e = _hp.EmbeddingLength;
        var position = _length;

        // x = token_embd[tokens]   [n, e]
        var embedding = _weights.TokenEmbedding;
        for (var i = 0; i < n; i++)
        {
            var row = new ReadOnlySpan<byte>(embedding.Row(batch[i]), (int)embedding.RowBytes);
            Dequantizer.DequantizeRow(embedding.Type, row, _x.AsSpan(i * e, e));
        }

        for (var layer = 0; layer < _hp.BlockCount; layer++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var w = _weights.Layers[layer];

            // Attention block.
            RmsNorm(_x, _xb, n, w.AttentionNorm.Span);
            MatMul(_xb, n, w.Query, _q, w.Key, _k, w.Value, _v);
            for (var i = 0; i < n; i++)
            {
                _rope.Apply(_q.AsSpan(i * _hp.QueryLength, _hp.QueryLength), _hp.HeadDimension, position + i);
                _rope.Apply(_k.AsSpan(i * _hp.KeyValueLength, _hp.KeyValueLength), _hp.HeadDimension, position + i);
                _cache.Store(layer, position + i,
                    _k.AsSpan(i * _hp.KeyValueLength, _hp.KeyValueLength),
                    _v.AsSpan(i * _hp.KeyValueLength, _hp.KeyValueLength));
            }

            // Attention and its output projection run for every token of the batch, as in llama.cpp's graph, where the output
            // projection's matmul path (tinyBLAS for a batch of float weights) depends on the batch size. In the last layer only
            // the last token's row is needed from here on (llama.cpp's inp_out_ids, applied after the output projection).
            _attention.Run(_pool, layer, _q, _attn, 0, n, position, n);
            MatMul(w.Output, _attn, n, _xb);
            var first = layer == _hp.BlockCount - 1 ? n - 1 : 0;
            var rows = n - first;
            TensorPrimitives.Add(_x.AsSpan(first * e, rows * e), _xb.AsSpan(first * e, rows * e), _x.AsSpan(first * e, rows * e));

            // Feed-forward block (SwiGLU).
            var residual = _x.AsSpan(first * e, rows * e);
            RmsNorm(residual, _xb, rows, w.FeedForwardNorm.Span);
            MatMul(_xb, rows, w.Gate, _gate, w.Up, _up);
            for (var r = 0; r < rows; r++)
            {
                var ff = _hp.FeedForwardLength;
                VectorMath.SiluMultiply(_gate.AsSpan(r * ff, ff), _up.AsSpan(r * ff, ff));
            }

            MatMul(w.Down, _gate, rows, _xb);
            TensorPrimitives.Add(residual, _xb.AsSpan(0, rows * e), residual);
            if (first > 0)
            {
                // Keep the last row at the front, where the output head reads it.
                residual.CopyTo(_x);
            }
        }

        RmsNorm(_x.AsSpan(0, e), _xb, 1, _weights.OutputNorm.Span);
        MatMul(_weights.Output, _xb, 1, _logits);
    }

    /// <summary>
    /// y[r, :] = W · x[r, :] for r in [0, rows), quantizing x for W's dot-product type, unless <paramref name="sameInputAsLast"/>
    /// says x is the input of the previous product and that quantization still fits (q/k/v share one, gate/up another).
    /// </summary>
    private void MatMul(in WeightMatrix weights, ReadOnlySpan<float> x, int rows, float[] y, bool sameInputAsLast = false)
    {
        if (!sameInputAsLast || _activations.Rows != rows || _activations.Cols != weights.Cols ||
            _activations.Type != GgmlTypeInfo.VecDotType(weights.Type))
        {
            _activations.Load(weights.Type, x[..(rows * weights.Cols)], rows, weights.Cols, UseScalarKernels);
        }

        fixed (float* output = y)
        {
            // Q4_0 matrices that llama.cpp repacks at load time multiply in its repacked order (WeightMatrix.RepackedByLlamaCpp).
            global::HybridAI.Llama.MatMul.Multiply(weights, _activations, output, _pool, UseScalarKernels);
        }
    }

    /// <summary>
    /// y_i[r, :] = W_i · x[r, :] for two or three matrices that read the same input (q, k, v; gate, up). When they share a
    /// vec-dot type, x is quantized once and the pool runs them together (<see cref="global::HybridAI.Llama.MatMul.Multiply(ReadOnlySpan{WeightMatrix}, ActivationBuffer, ReadOnlySpan{nint}, ComputePool?, bool)"/>);
    /// a mix that gives them different types (an F16 v with Q8_0 q and k) runs them one after another. Each output is the same
    /// either way. (Their column counts are equal: the loader checks every shape.)
    /// </summary>
    private void MatMul(ReadOnlySpan<float> x, int rows, in WeightMatrix w0, float[] y0, in WeightMatrix w1, float[] y1, in WeightMatrix w2 = default, float[]? y2 = null)
    {
        var count = y2 is null ? 2 : 3;
        var type = GgmlTypeInfo.VecDotType(w0.Type);
        if (!FuseSharedInputProducts || GgmlTypeInfo.VecDotType(w1.Type) != type ||
            (count == 3 && GgmlTypeInfo.VecDotType(w2.Type) != type))
        {
            MatMul(w0, x, rows, y0);
            MatMul(w1, x, rows, y1, sameInputAsLast: true);
            if (count == 3)
            {
                MatMul(w2, x, rows, y2!, sameInputAsLast: true);
            }

            return;
        }

        _activations.Load(w0.Type, x[..(rows * w0.Cols)], rows, w0.Cols, UseScalarKernels);
        Span<WeightMatrix> weights = stackalloc WeightMatrix[3];
        Span<nint> outputs = stackalloc nint[3];
        fixed (float* p0 = y0, p1 = y1, p2 = y2)
        {
            weights[0] = w0;
            weights[1] = w1;
            weights[2] = w2;
            outputs[0] = (nint)p0;
            outputs[1] = (nint)p1;
            outputs[2] = (nint)p2;
            global::HybridAI.Llama.MatMul.Multiply(weights[..count], _activations, outputs[..count], _pool, UseScalarKernels);
        }
    }

    /// <summary>RMSNorm as ggml computes it: sum of squares in double, scale in float, then times the weights.</summary>
    private void RmsNorm(ReadOnlySpan<float> x, Span<float> y, int rows, ReadOnlySpan<float> weight)
    {
        var width = weight.Length;
        for (var r = 0; r < rows; r++)
        {
            var row = x.Slice(r * width, width);
            double sum = 0;
            foreach (var value in row)
            {
                sum += value * value;
            }

            var mean = (float)(sum / width);
            var scale = 1.0f / MathF.Sqrt(mean + _hp.RmsNormEpsilon);
            var output = y.Slice(r * width, width);
            TensorPrimitives.Multiply(row, scale, output);
            TensorPrimitives.Multiply(output, weight, output);
        }
    }

    private static float[] Pinned(int length) => GC.AllocateArray<float>(length, pinned: true);
}
