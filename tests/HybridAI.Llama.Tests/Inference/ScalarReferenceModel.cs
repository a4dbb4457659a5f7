namespace HybridAI.Llama.Tests.Inference;

/// <summary>
/// A plain, obviously-correct llama forward pass in double precision over dequantized weights, written from the model's
/// definition (not from the engine), with no cache reuse tricks: the engine is checked against it.
/// </summary>
/// <remarks>
/// Like llama.cpp (and the engine), it rounds each matrix product's input to the weights' dot-product type first (Q8_0 or
/// Q8_K blocks through the reference quantizer, F16, BF16), so that what remains between the two is float-versus-double
/// rounding, not the quantization of activations, which these small random models amplify through their layers.
/// </remarks>
internal sealed class ScalarReferenceModel
{
    private readonly LlamaHyperparameters _hp;
    private readonly Matrix _embedding;   // [vocab][embd]
    private readonly Matrix _output;      // [vocab][embd]
    private readonly double[] _outputNorm;
    private readonly double[]? _ropeFactors;
    private readonly Layer[] _layers;

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

    /// <summary>Returns the logits that follow the last of <paramref name="tokens"/>, computed from scratch.</summary>
    public double[] Logits(IReadOnlyList<int> tokens)
    {
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

    private double[] RmsNorm(double[] x, double[] weight)
    {
        var scale = 1 / Math.Sqrt((x.Sum(v => v * v) / x.Length) + _hp.RmsNormEpsilon);
        return x.Select((v, i) => v * scale * weight[i]).ToArray();
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

    private static double[] MatVec(Matrix w, double[] x)
    {
        var input = RoundForDotProduct(w.Type, x);
        return w.Rows.Select(row => row.Select((value, i) => value * input[i]).Sum()).ToArray();
    }

    private static double[] RoundForDotProduct(GgmlType weightType, double[] x)
    {
        var values = x.Select(v => (float)v).ToArray();
        switch (GgmlTypeInfo.VecDotType(weightType))
        {
            case GgmlType.F16:
                return values.Select(v => (double)(float)(Half)v).ToArray();
            case GgmlType.BF16:
                return values.Select(v => (double)RoundToBFloat16(v)).ToArray();
            case GgmlType.Q8_0 or GgmlType.Q8_K:
                var type = GgmlTypeInfo.VecDotType(weightType);
                var bytes = new byte[GgmlTypeInfo.RowBytes(type, values.Length)];
                Quantizer.QuantizeRow(type, values, bytes);
                var rounded = new float[values.Length];
                Dequantizer.DequantizeRow(type, bytes, rounded);
                return rounded.Select(v => (double)v).ToArray();
            default:
                return values.Select(v => (double)v).ToArray();
        }
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

        return new Matrix(tensor.Type, result);
    }

    private static double[] Vector(GgufFile file, string name)
    {
        var tensor = file.GetTensor(name);
        var values = new float[tensor.ElementCount];
        Dequantizer.DequantizeRow(tensor.Type, file.GetTensorBytes(tensor), values);
        return values.Select(v => (double)v).ToArray();
    }

    private sealed record Matrix(GgmlType Type, double[][] Rows);

    private sealed record Layer(
        double[] AttentionNorm, Matrix Q, Matrix K, Matrix V, Matrix O,
        double[] FeedForwardNorm, Matrix Gate, Matrix Up, Matrix Down);
}
