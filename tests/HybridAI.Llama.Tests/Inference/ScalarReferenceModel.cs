namespace HybridAI.Llama.Tests.Inference;

/// <summary>
/// A plain, obviously-correct llama forward pass over dequantized weights, in double precision except for the sums of the
/// matrix products (float, in plain sequential order: see <see cref="MatVec"/>), written from the model's definition (not from
/// the engine), with no cache reuse tricks: the engine is checked against it.
/// </summary>
/// <remarks>
/// Like llama.cpp (and the engine), it rounds each matrix product's input to the weights' dot-product type first (Q8_0 blocks
/// as the AVX2 quantize_row_q8_0, Q8_K blocks as quantize_row_q8_K_ref, F16, BF16), and it computes RMSNorm in float as ggml
/// does, so that what remains between the two is float-versus-double rounding, not the quantization of activations, which
/// these small random models amplify through their layers. Inputs that sit within <see cref="TieMargin"/> of a rounding
/// midpoint are reported in <see cref="NearTies"/> and can be rounded the other way (<see cref="RoundedOtherWay"/>): one such
/// element rounded differently moves the logits by up to a few percent, so comparisons let each near tie go either way.
/// </remarks>
internal sealed class ScalarReferenceModel
{
    private readonly LlamaHyperparameters _hp;
    private readonly Matrix _embedding;   // [vocab][embd]
    private readonly Matrix _output;      // [vocab][embd]
    private readonly double[] _outputNorm;
    private readonly double[]? _ropeFactors;
    private readonly Layer[] _layers;
    private readonly List<NearTie> _nearTies = [];
    private int _products;
    private double[]? _lastInput;
    private GgmlType _lastVecDotType;

    public ScalarReferenceModel(GgufFile file)
    {
        _hp = LlamaHyperparameters.Read(file);
        _embedding = ReadMatrix(file, "token_embd.weight");
        _output = file.FindTensor("output.weight") is null ? _embedding : ReadMatrix(file, "output.weight");
        _outputNorm = Vector(file, "output_norm.weight");
        _ropeFactors = file.FindTensor("rope_freqs.weight") is null ? null : Vector(file, "rope_freqs.weight");
        _layers = Enumerable.Range(0, _hp.BlockCount).Select(i => new Layer(
            Vector(file, $"blk.{i}.attn_norm.weight"),
            ReadMatrix(file, $"blk.{i}.attn_q.weight"), ReadMatrix(file, $"blk.{i}.attn_k.weight"),
            ReadMatrix(file, $"blk.{i}.attn_v.weight"), ReadMatrix(file, $"blk.{i}.attn_output.weight"),
            Vector(file, $"blk.{i}.ffn_norm.weight"),
            ReadMatrix(file, $"blk.{i}.ffn_gate.weight"), ReadMatrix(file, $"blk.{i}.ffn_up.weight"),
            ReadMatrix(file, $"blk.{i}.ffn_down.weight"))).ToArray();
    }

    /// <summary>
    /// How close (in quantization steps) to a rounding midpoint a scaled activation must be to count as a near tie: one whose
    /// rounding is decided by the last bits of the value, so double (here) and float (engine, llama.cpp) may round it differently.
    /// </summary>
    /// <remarks>
    /// The reference's matrix inputs differ from the engine's by about 1e-7 of their block's largest element (measured: 1.7e-7
    /// absolute on inputs whose largest element is 1.7), which is 127 · 1e-7 ≈ 1.3e-5 of a step; 1e-4 covers that eightfold.
    /// </remarks>
    public float TieMargin { get; init; } = 1e-4f;

    /// <summary>
    /// How close (in F16 steps) to an F16 rounding midpoint a Q8_0 block scale must be to count as a near tie: 1e-7 relative
    /// apart is 2e-4 of a step (2^-11 relative); 2e-3 covers that tenfold.
    /// </summary>
    public float ScaleTieMargin { get; init; } = 2e-3f;

    /// <summary>
    /// The near ties met by the last <see cref="Logits"/> call (matrix product index, element). Products that take the same
    /// input rounded to the same type (q/k/v, gate/up) share an index, as they share one rounding in llama.cpp and the engine:
    /// a tie there goes the same way in all of them.
    /// </summary>
    public IReadOnlyList<NearTie> NearTies => _nearTies;

    /// <summary>Near ties to round away from the nearest integer (to the other neighbour) in the next <see cref="Logits"/> calls.</summary>
    public HashSet<NearTie> RoundedOtherWay { get; } = [];

    /// <summary>Called with each matrix name and the input (before rounding) of its product; lets tests compare intermediate vectors.</summary>
    public Action<string, double[]>? MatrixInputs { get; set; }

    /// <summary>Returns the logits that follow the last of <paramref name="tokens"/>, computed from scratch.</summary>
    public double[] Logits(IReadOnlyList<int> tokens)
    {
        _nearTies.Clear();
        _products = 0;
        _lastInput = null;
        var n = tokens.Count;
        var d = _hp.HeadDimension;
        var x = tokens.Select(t => (double[])_embedding.Rows[t].Clone()).ToArray();
        foreach (var layer in _layers)
        {
            var q = new double[n][];
            var k = new double[n][];
            var v = new double[n][];
            for (var i = 0; i < n; i++)
            {
                var h = RmsNorm(x[i], layer.AttentionNorm);
                q[i] = Rope(MatVec(layer.Q, h), i);
                k[i] = Rope(MatVec(layer.K, h), i);
                v[i] = MatVec(layer.V, h);
            }

            for (var i = 0; i < n; i++)
            {
                var attention = new double[_hp.QueryLength];
                for (var head = 0; head < _hp.HeadCount; head++)
                {
                    var kvHead = head / (_hp.HeadCount / _hp.HeadCountKv);
                    var scores = new double[i + 1];
                    for (var t = 0; t <= i; t++)
                    {
                        double dot = 0;
                        for (var c = 0; c < d; c++)
                        {
                            dot += q[i][(head * d) + c] * k[t][(kvHead * d) + c];
                        }

                        scores[t] = dot / Math.Sqrt(d);
                    }

                    var max = scores.Max();
                    var weights = scores.Select(s => Math.Exp(s - max)).ToArray();
                    var sum = weights.Sum();
                    for (var t = 0; t <= i; t++)
                    {
                        for (var c = 0; c < d; c++)
                        {
                            attention[(head * d) + c] += weights[t] / sum * v[t][(kvHead * d) + c];
                        }
                    }
                }

                Add(x[i], MatVec(layer.O, attention));
                var h = RmsNorm(x[i], layer.FeedForwardNorm);
                var gate = MatVec(layer.Gate, h);
                var up = MatVec(layer.Up, h);
                var hidden = gate.Select((g, j) => g / (1 + Math.Exp(-g)) * up[j]).ToArray();
                Add(x[i], MatVec(layer.Down, hidden));
            }
        }

        return MatVec(_output, RmsNorm(x[n - 1], _outputNorm));
    }

    /// <summary>
    /// RMSNorm in float, as ggml computes it (squares in float summed in double, scale 1/sqrt(mean + eps) in float, then two
    /// float multiplies).
    /// </summary>
    /// <remarks>
    /// Plain double would do for most inputs, but not for the first layer's: there the input is a quantized
    /// embedding row, so after normalization the ratio of each element to its Q8 block's largest element is a small exact
    /// fraction (for Q4_0 rows k/8, for Q6_K rows q·sc ratios) and many elements land exactly on a Q8 rounding midpoint
    /// (e.g. 127·4/8 = 63.5). Which way such a tie rounds is decided by the last bit of the normalized value, and one step
    /// (1/127 of the block's largest value) in a dozen elements moved the logits of the tiny random models by ~2%. Computing
    /// the norm in float as ggml does gives the same bits as llama.cpp, so ties resolve the same way.
    /// </remarks>
    private double[] RmsNorm(double[] x, double[] weight)
    {
        var values = x.Select(v => (float)v).ToArray();
        double sum = 0;
        foreach (var v in values)
        {
            sum += v * v;
        }

        var mean = (float)(sum / values.Length);
        var scale = 1.0f / MathF.Sqrt(mean + _hp.RmsNormEpsilon);
        return values.Select((v, i) => (double)(v * scale * (float)weight[i])).ToArray();
    }

    private double[] Rope(double[] row, int position)
    {
        var result = (double[])row.Clone();
        var dims = _hp.RopeDimensionCount;
        for (var head = 0; head < row.Length; head += _hp.HeadDimension)
        {
            for (var i = 0; i < dims / 2; i++)
            {
                var frequency = Math.Pow(_hp.RopeFreqBase, -2.0 * i / dims) / (_ropeFactors?[i] ?? 1.0);
                var angle = position * frequency * _hp.RopeFreqScale;
                var (x0, x1) = (row[head + (2 * i)], row[head + (2 * i) + 1]);
                result[head + (2 * i)] = (x0 * Math.Cos(angle)) - (x1 * Math.Sin(angle));
                result[head + (2 * i) + 1] = (x0 * Math.Sin(angle)) + (x1 * Math.Cos(angle));
            }
        }

        return result;
    }

    /// <summary>
    /// W · x with x first rounded as the engine and llama.cpp round it; each output is accumulated in float, one fused
    /// multiply-add per element in plain sequential order (not ggml's lane order).
    /// </summary>
    /// <remarks>
    /// Float, not double: the next product's input is quantized again, and a value's rounding there is decided by its last
    /// float bits. A double sum differs from any float sum by the float sum's own rounding error, which on stories260K's
    /// trained weights (sums with cancellation, 5 layers) reached more than <see cref="TieMargin"/> of a quantization step:
    /// elements far from any detectable near tie rounded the other way and the reference missed llama.cpp's first-step logits
    /// by 2.6%. Accumulated in float, it meets them to 3.6e-7 of the largest logit without rounding any near tie the other way.
    /// </remarks>
    private double[] MatVec(Matrix w, double[] x)
    {
        MatrixInputs?.Invoke(w.Name, x);
        var vecDotType = GgmlTypeInfo.VecDotType(w.Type);
        var product = ReferenceEquals(x, _lastInput) && vecDotType == _lastVecDotType ? _products - 1 : _products++;
        (_lastInput, _lastVecDotType) = (x, vecDotType);
        var input = RoundForDotProduct(w.Type, x, product);
        return w.Rows.Select(row =>
        {
            var sum = 0.0f;
            for (var i = 0; i < row.Length; i++)
            {
                sum = MathF.FusedMultiplyAdd((float)row[i], (float)input[i], sum);
            }

            return (double)sum;
        }).ToArray();
    }

    private double[] RoundForDotProduct(GgmlType weightType, double[] x, int product)
    {
        var values = x.Select(v => (float)v).ToArray();
        switch (GgmlTypeInfo.VecDotType(weightType))
        {
            case GgmlType.F16:
                return values.Select(v => (double)(float)(Half)v).ToArray();
            case GgmlType.BF16:
                return values.Select(v => (double)RoundToBFloat16(v)).ToArray();
            case GgmlType.Q8_0:
                // llama.cpp's AVX2 quantize_row_q8_0 (ggml-cpu-quants.c): d = amax/127 stored as F16, q = round-half-even(x · 127/amax).
                // Its reference quantizer (id = 1/d, roundf) gives other results on and near midpoints, which these inputs hit (see RmsNorm).
                for (var b = 0; b < values.Length / 32; b++)
                {
                    var block = values.AsSpan(32 * b, 32);
                    var amax = 0f;
                    foreach (var v in block)
                    {
                        amax = MathF.Max(amax, MathF.Abs(v));
                    }

                    var d = RoundScaleToHalf(amax / 127f, product, b);
                    var id = amax != 0f ? 127f / amax : 0f;
                    for (var j = 0; j < 32; j++)
                    {
                        block[j] = Round(block[j] * id, product, (32 * b) + j) * d;
                    }
                }

                return values.Select(v => (double)v).ToArray();
            case GgmlType.Q8_K:
                // quantize_row_q8_K_ref: iscale = -127/max over the signed element of largest magnitude, nearest_int, at most 127,
                // d = 1/iscale in float.
                for (var b = 0; b < values.Length / 256; b++)
                {
                    var block = values.AsSpan(256 * b, 256);
                    float max = 0f, amax = 0f;
                    foreach (var v in block)
                    {
                        if (MathF.Abs(v) > amax)
                        {
                            amax = MathF.Abs(v);
                            max = v;
                        }
                    }

                    if (amax == 0f)
                    {
                        block.Clear();
                        continue;
                    }

                    var iscale = -127f / max;
                    var d = 1f / iscale;
                    for (var j = 0; j < 256; j++)
                    {
                        block[j] = d * Math.Min(127, Round(iscale * block[j], product, (256 * b) + j));
                    }
                }

                return values.Select(v => (double)v).ToArray();
            default:
                return values.Select(v => (double)v).ToArray();
        }
    }

    /// <summary>
    /// Rounds a scaled activation to the nearest integer, half to even; records it as a near tie when it lies within
    /// <see cref="TieMargin"/> of a midpoint, and rounds it the other way when asked to through <see cref="RoundedOtherWay"/>.
    /// </summary>
    private int Round(float scaled, int product, int element)
    {
        var nearest = (int)MathF.Round(scaled, MidpointRounding.ToEven);
        var fraction = scaled - MathF.Floor(scaled);
        if (Math.Abs(fraction - 0.5f) >= TieMargin)
        {
            return nearest;
        }

        var tie = new NearTie(product, element);
        _nearTies.Add(tie);
        if (!RoundedOtherWay.Contains(tie))
        {
            return nearest;
        }

        return nearest == (int)MathF.Floor(scaled) ? nearest + 1 : nearest - 1;
    }

    /// <summary>
    /// Rounds a Q8_0 block scale to F16 (nearest, ties to even). The scale comes from the block's largest element, which the
    /// reference computes in another order than the engine (about 1e-7 relative apart), and one F16 step is 2^-11 relative: a
    /// scale within <see cref="ScaleTieMargin"/> of an F16 midpoint may round either way, moving every element of the block by
    /// up to 2^-11 — like an element's near tie, it is reported in <see cref="NearTies"/> (as element -1 - block) and can be
    /// rounded to the other neighbour.
    /// </summary>
    private float RoundScaleToHalf(float scale, int product, int block)
    {
        var nearest = (float)(Half)scale;
        var up = BitConverter.HalfToUInt16Bits((Half)scale) + (nearest < scale ? 1 : -1);
        var other = (float)BitConverter.UInt16BitsToHalf((ushort)up);
        var fraction = MathF.Abs(scale - nearest) / MathF.Abs(other - nearest);
        if (!float.IsFinite(other) || other == 0f || 0.5f - fraction >= ScaleTieMargin)
        {
            return nearest;
        }

        var tie = new NearTie(product, -1 - block);
        _nearTies.Add(tie);
        return RoundedOtherWay.Contains(tie) ? other : nearest;
    }

    private static float RoundToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000;
        return BitConverter.UInt32BitsToSingle(bits);
    }

    private static void Add(double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] += y[i];
        }
    }

    private static Matrix ReadMatrix(GgufFile file, string name)
    {
        var tensor = file.GetTensor(name);
        var columns = (int)tensor.Dimensions[0];
        var rows = (int)tensor.Dimensions[1];
        var rowBytes = (int)GgmlTypeInfo.RowBytes(tensor.Type, columns);
        var bytes = file.GetTensorBytes(tensor);
        var row = new float[columns];
        var result = new double[rows][];
        for (var r = 0; r < rows; r++)
        {
            Dequantizer.DequantizeRow(tensor.Type, bytes.Slice(r * rowBytes, rowBytes), row);
            result[r] = row.Select(v => (double)v).ToArray();
        }

        return new Matrix(name, tensor.Type, result);
    }

    private static double[] Vector(GgufFile file, string name)
    {
        var tensor = file.GetTensor(name);
        var values = new float[tensor.ElementCount];
        Dequantizer.DequantizeRow(tensor.Type, file.GetTensorBytes(tensor), values);
        return values.Select(v => (double)v).ToArray();
    }

    /// <summary>One rounding decision: element <paramref name="Element"/> of the input of the <paramref name="Product"/>-th matrix product of a pass.</summary>
    internal readonly record struct NearTie(int Product, int Element);

    private sealed record Matrix(string Name, GgmlType Type, double[][] Rows);

    private sealed record Layer(
        double[] AttentionNorm, Matrix Q, Matrix K, Matrix V, Matrix O,
        double[] FeedForwardNorm, Matrix Gate, Matrix Up, Matrix Down);
}
