namespace HybridAI.Llama;

/// <summary>
/// Rotary position embedding in llama.cpp's "normal" mode (adjacent pairs), computing angles exactly as ggml does:
/// θ starts at the position and is multiplied by <c>base^(-2/n_dims)</c> per pair, divided by the Llama 3 frequency factors;
/// cos/sin come from the C library (as ggml's <c>cosf</c>/<c>sinf</c>), and the rotation fuses one product as gcc compiles ggml's.
/// </summary>
internal sealed class Rope
{
    private readonly int _dimensions;
    private readonly float _thetaScale;
    private readonly float _freqScale;
    private readonly float[]? _factors;
    private readonly float[] _cos;
    private readonly float[] _sin;
    private int _cachedPosition = -1;

    public Rope(LlamaHyperparameters hp, ReadOnlySpan<float> frequencyFactors)
    {
        _dimensions = hp.RopeDimensionCount;
        _thetaScale = MathF.Pow(hp.RopeFreqBase, -2.0f / _dimensions);
        _freqScale = hp.RopeFreqScale;
        _factors = frequencyFactors.IsEmpty ? null : frequencyFactors.ToArray();
        _cos = new float[_dimensions / 2];
        _sin = new float[_dimensions / 2];
    }

    /// <summary>Rotates every head of <paramref name="row"/> (heads × headDimension) for <paramref name="position"/>.</summary>
    public void Apply(Span<float> row, int headDimension, int position)
    {
        Prepare(position);
        for (var head = 0; head + headDimension <= row.Length; head += headDimension)
        {
            var x = row.Slice(head, _dimensions);
            for (var i = 0; i < _cos.Length; i++)
            {
                var x0 = x[2 * i];
                var x1 = x[(2 * i) + 1];
                // gcc (-ffp-contract=fast) fuses the first product of each expression: fma(x0, cos, -(x1·sin)), fma(x0, sin, x1·cos).
                x[2 * i] = MathF.FusedMultiplyAdd(x0, _cos[i], -(x1 * _sin[i]));
                x[(2 * i) + 1] = MathF.FusedMultiplyAdd(x0, _sin[i], x1 * _cos[i]);
            }
        }
    }

    private void Prepare(int position)
    {
        if (position == _cachedPosition)
        {
            return;
        }

        float theta = position;
        for (var i = 0; i < _cos.Length; i++)
        {
            var factor = _factors is null ? 1.0f : _factors[i];
            var angle = _freqScale * (theta / factor);
            _cos[i] = MathF.Cos(angle);
            _sin[i] = MathF.Sin(angle);
            theta *= _thetaScale;
        }

        _cachedPosition = position;
    }
}
