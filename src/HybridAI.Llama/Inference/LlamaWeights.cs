namespace HybridAI.Llama;

/// <summary>All weights of a llama model, as views into the memory-mapped GGUF file (nothing is copied).</summary>
internal sealed unsafe class LlamaWeights
{
    private LlamaWeights(WeightMatrix tokenEmbedding, NormWeights outputNorm, WeightMatrix output, NormWeights? ropeFactors, LlamaLayerWeights[] layers)
    {
        TokenEmbedding = tokenEmbedding;
        OutputNorm = outputNorm;
        Output = output;
        RopeFactors = ropeFactors;
        Layers = layers;
    }

    /// <summary>[vocabulary, embedding]: one row per token.</summary>
    public WeightMatrix TokenEmbedding { get; }

    public NormWeights OutputNorm { get; }

    /// <summary>[vocabulary, embedding]; the token embedding itself when the model ties its output head.</summary>
    public WeightMatrix Output { get; }

    /// <summary>Llama 3 rope frequency factors (<c>rope_freqs.weight</c>), when present.</summary>
    public NormWeights? RopeFactors { get; }

    public IReadOnlyList<LlamaLayerWeights> Layers { get; }

    /// <summary>Binds every tensor, checking names, shapes and types before any work starts.</summary>
    public static LlamaWeights Bind(GgufFile file, LlamaHyperparameters hp)
    {
        // llama.cpp repacks Q4_0 matrices that feed matrix products, but not token_embd, which it reads row by row; a tied
        // output head therefore multiplies in the plain (not repacked) order. (A plain view also skips the scale check of
        // repacked matrices, which would page in the whole table, of which a context reads only the rows of its tokens.)
        var embedding = Matrix(file, "token_embd.weight", hp.VocabularySize, hp.EmbeddingLength, rowsOnly: true);
        var output = file.FindTensor("output.weight") is null
            ? embedding
            : Matrix(file, "output.weight", hp.VocabularySize, hp.EmbeddingLength);
        NormWeights? ropeFactors = file.FindTensor("rope_freqs.weight") is null
            ? null
            : Vector(file, "rope_freqs.weight", hp.RopeDimensionCount / 2);

        var layers = new LlamaLayerWeights[hp.BlockCount];
        for (var i = 0; i < layers.Length; i++)
        {
            var prefix = $"blk.{i}.";
            layers[i] = new LlamaLayerWeights
            {
                AttentionNorm = Vector(file, prefix + "attn_norm.weight", hp.EmbeddingLength),
                Query = Matrix(file, prefix + "attn_q.weight", hp.QueryLength, hp.EmbeddingLength),
                Key = Matrix(file, prefix + "attn_k.weight", hp.KeyValueLength, hp.EmbeddingLength),
                Value = Matrix(file, prefix + "attn_v.weight", hp.KeyValueLength, hp.EmbeddingLength),
                Output = Matrix(file, prefix + "attn_output.weight", hp.EmbeddingLength, hp.QueryLength),
                FeedForwardNorm = Vector(file, prefix + "ffn_norm.weight", hp.EmbeddingLength),
                Gate = Matrix(file, prefix + "ffn_gate.weight", hp.FeedForwardLength, hp.EmbeddingLength),
                Up = Matrix(file, prefix + "ffn_up.weight", hp.FeedForwardLength, hp.EmbeddingLength),
                Down = Matrix(file, prefix + "ffn_down.weight", hp.EmbeddingLength, hp.FeedForwardLength),
            };
        }

        return new LlamaWeights(embedding, Vector(file, "output_norm.weight", hp.EmbeddingLength), output, ropeFactors, layers);
    }

    private static WeightMatrix Matrix(GgufFile file, string name, int rows, int columns, bool rowsOnly = false)
    {
        var tensor = file.GetTensor(name);
        if (tensor.Dimensions.Count != 2 || tensor.Dimensions[0] != columns || tensor.Dimensions[1] != rows)
        {
            throw new GgufFormatException(file.FilePath, name, tensor.DataOffset,
                $"expected shape [{columns}, {rows}] but the file has [{string.Join(", ", tensor.Dimensions)}].");
        }

        if (!GgmlTypeInfo.IsSupportedWeightType(tensor.Type))
        {
            throw new GgufFormatException(file.FilePath, name, tensor.DataOffset,
                $"tensor type {tensor.Type} is not supported; supported types are F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q5_K and Q6_K.");
        }

        return rowsOnly
            ? new WeightMatrix(file.GetTensorPointer(tensor), tensor.Type, rows, columns, repackedByLlamaCpp: false)
            : new WeightMatrix(file.GetTensorPointer(tensor), tensor.Type, rows, columns);
    }

    private static NormWeights Vector(GgufFile file, string name, int length)
    {
        var tensor = file.GetTensor(name);
        if (tensor.Type != GgmlType.F32 || tensor.ElementCount != length)
        {
            throw new GgufFormatException(file.FilePath, name, tensor.DataOffset,
                $"expected an F32 vector of {length} elements but the file has {tensor.Type} [{string.Join(", ", tensor.Dimensions)}].");
        }

        return new NormWeights((float*)file.GetTensorPointer(tensor), length);
    }
}
