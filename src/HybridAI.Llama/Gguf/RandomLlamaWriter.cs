using System.Globalization;

namespace HybridAI.Llama;

/// <summary>
/// Writes a llama-architecture GGUF file of a given <see cref="LlamaShape"/> with uniform random weights (seeded, so the
/// same settings give the same bytes), complete llama metadata and a vocabulary, streaming tensor by tensor so that a
/// 1 GB model never needs 1 GB of memory. For benchmarks, tests and <c>hybridai make-model</c>; its text is noise.
/// </summary>
/// <remarks>Not thread-safe. Norm weights are 1; matrices are uniform in [-<see cref="WeightRange"/>, <see cref="WeightRange"/>).</remarks>
internal sealed class RandomLlamaWriter
{
    private const string TokenizerPrefix = "tokenizer.";

    /// <summary>Creates a writer.</summary>
    /// <param name="shape">The model's shape.</param>
    /// <param name="fileType">The weight types (see <see cref="LlamaQuantizationMix"/>).</param>
    public RandomLlamaWriter(LlamaShape shape, LlamaFileType fileType)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        Shape = shape;
        FileType = fileType;
    }

    /// <summary>Gets the model's shape.</summary>
    public LlamaShape Shape { get; }

    /// <summary>Gets the weight types.</summary>
    public LlamaFileType FileType { get; }

    /// <summary>Gets or initializes the seed of the weights.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Gets or initializes the half-width of the uniform weight distribution.</summary>
    public float WeightRange { get; init; } = 0.5f;

    /// <summary>
    /// Gets or initializes the vocabulary: every <c>tokenizer.*</c> key-value pair, copied as is (see
    /// <see cref="VocabularyFrom"/>). When null, a small SentencePiece-style vocabulary of <see cref="LlamaShape.VocabSize"/>
    /// tokens is made up. When set, its token count must equal the shape's vocabulary size.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>>? Vocabulary { get; init; }

    /// <summary>Gets or initializes a per-tensor type choice that overrides the file type's mix (return null to keep it).</summary>
    public Func<string, IReadOnlyList<long>, GgmlType?>? TensorType { get; init; }

    /// <summary>Gets or initializes extra metadata written after the llama keys (for example a chat template).</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> ExtraMetadata { get; init; } = [];

    /// <summary>Takes every <c>tokenizer.*</c> key of a file's metadata.</summary>
    public static IReadOnlyList<KeyValuePair<string, GgufValue>> VocabularyFrom(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var vocabulary = metadata.Where(static pair => pair.Key.StartsWith(TokenizerPrefix, StringComparison.Ordinal)).ToList();
        _ = metadata.GetStringArray("tokenizer.ggml.tokens");
        return vocabulary;
    }

    /// <summary>Gets the number of tokens in a vocabulary taken with <see cref="VocabularyFrom"/>.</summary>
    public static int TokenCount(IReadOnlyList<KeyValuePair<string, GgufValue>> vocabulary) =>
        vocabulary.FirstOrDefault(static pair => pair.Key == "tokenizer.ggml.tokens").Value.ArrayLength;

    /// <summary>Lists the tensors the model will have: name, type and dimensions, in file order.</summary>
    public IReadOnlyList<(string Name, GgmlType Type, long[] Dimensions)> PlanTensors()
    {
        long embd = Shape.EmbeddingLength;
        long kv = (long)Shape.HeadCountKv * Shape.HeadDimension;
        long ff = Shape.FeedForwardLength;
        long vocab = Shape.VocabSize;
        var shapes = new List<(string Name, long[] Dimensions)> { ("token_embd.weight", [embd, vocab]) };
        if (Shape.RopeScaling is not null)
        {
            shapes.Add(("rope_freqs.weight", [Shape.HeadDimension / 2]));
        }

        for (var i = 0; i < Shape.BlockCount; i++)
        {
            shapes.Add(($"blk.{i}.attn_norm.weight", [embd]));
            shapes.Add(($"blk.{i}.attn_q.weight", [embd, embd]));
            shapes.Add(($"blk.{i}.attn_k.weight", [embd, kv]));
            shapes.Add(($"blk.{i}.attn_v.weight", [embd, kv]));
            shapes.Add(($"blk.{i}.attn_output.weight", [embd, embd]));
            shapes.Add(($"blk.{i}.ffn_norm.weight", [embd]));
            shapes.Add(($"blk.{i}.ffn_gate.weight", [embd, ff]));
            shapes.Add(($"blk.{i}.ffn_up.weight", [embd, ff]));
            shapes.Add(($"blk.{i}.ffn_down.weight", [ff, embd]));
        }

        shapes.Add(("output_norm.weight", [embd]));
        if (!Shape.TiedOutput)
        {
            shapes.Add(("output.weight", [embd, vocab]));
        }

        return shapes.Select(s => (s.Name, TensorType?.Invoke(s.Name, s.Dimensions)
            ?? LlamaQuantizationMix.Choose(FileType, s.Name, s.Dimensions, Shape.BlockCount, !Shape.TiedOutput), s.Dimensions)).ToList();
    }

    /// <summary>Writes the model to a file.</summary>
    public void WriteTo(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        WriteTo(stream);
    }

    /// <summary>Writes the model to a stream.</summary>
    public void WriteTo(Stream stream) => CreateWriter().WriteTo(stream);

    /// <summary>Builds the GGUF writer: metadata now, tensor data generated as it is written.</summary>
    public GgufWriter CreateWriter()
    {
        var vocabulary = Vocabulary ?? MakeVocabulary(Shape.VocabSize);
        var tokens = TokenCount(vocabulary);
        if (tokens != Shape.VocabSize)
        {
            throw new ArgumentException($"The vocabulary has {tokens} tokens; the shape '{Shape.Name}' needs {Shape.VocabSize}.");
        }

        var writer = new GgufWriter();
        writer.AddString("general.architecture", "llama");
        writer.AddString("general.name", Shape.Name);
        writer.AddUInt32("llama.context_length", (uint)Shape.ContextLength);
        writer.AddUInt32("llama.embedding_length", (uint)Shape.EmbeddingLength);
        writer.AddUInt32("llama.block_count", (uint)Shape.BlockCount);
        writer.AddUInt32("llama.feed_forward_length", (uint)Shape.FeedForwardLength);
        writer.AddUInt32("llama.attention.head_count", (uint)Shape.HeadCount);
        writer.AddUInt32("llama.attention.head_count_kv", (uint)Shape.HeadCountKv);
        writer.AddFloat32("llama.rope.freq_base", Shape.RopeFrequencyBase);
        writer.AddFloat32("llama.attention.layer_norm_rms_epsilon", Shape.RmsNormEpsilon);
        writer.AddUInt32("llama.rope.dimension_count", (uint)Shape.HeadDimension);
        writer.AddUInt32("llama.vocab_size", (uint)Shape.VocabSize);
        writer.AddUInt32("general.file_type", (uint)FileType);
        if (FileType is not (LlamaFileType.F32 or LlamaFileType.F16 or LlamaFileType.BF16))
        {
            writer.AddUInt32("general.quantization_version", 2);
        }

        foreach (var (key, value) in ExtraMetadata.Concat(vocabulary))
        {
            writer.Add(key, value);
        }

        var index = 0UL;
        foreach (var (name, type, dimensions) in PlanTensors())
        {
            var seed = Seed ^ (0x9E3779B97F4A7C15UL * ++index);
            writer.AddTensor(name, type, dimensions, stream => WriteTensor(stream, name, type, dimensions, seed));
        }

        return writer;
    }

    /// <summary>
    /// Makes up a SentencePiece-style ("llama" model) vocabulary: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte tokens
    /// (as many as fit), then pieces named after their ids, with decreasing scores.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, GgufValue>> MakeVocabulary(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 3);
        var tokens = new string[size];
        var scores = new float[size];
        var types = new int[size];
        string[] specials = ["<unk>", "<s>", "</s>"];
        for (var i = 0; i < size; i++)
        {
            if (i < 3)
            {
                tokens[i] = specials[i];
                types[i] = i == 0 ? 2 : 3;
            }
            else if (i < 3 + 256)
            {
                tokens[i] = $"<0x{i - 3:X2}>";
                types[i] = 6;
            }
            else
            {
                tokens[i] = "▁t" + (i - 259).ToString(CultureInfo.InvariantCulture);
                types[i] = 1;
                scores[i] = -(i - 259);
            }
        }

        return
        [
            new("tokenizer.ggml.model", new GgufValue(GgufValueType.String, "llama")),
            new("tokenizer.ggml.tokens", GgufWriter.ArrayValue(tokens)),
            new("tokenizer.ggml.scores", GgufWriter.ArrayValue(scores)),
            new("tokenizer.ggml.token_type", GgufWriter.ArrayValue(types)),
            new("tokenizer.ggml.unknown_token_id", new GgufValue(GgufValueType.UInt32, 0u)),
            new("tokenizer.ggml.bos_token_id", new GgufValue(GgufValueType.UInt32, 1u)),
            new("tokenizer.ggml.eos_token_id", new GgufValue(GgufValueType.UInt32, 2u)),
            new("tokenizer.ggml.add_bos_token", new GgufValue(GgufValueType.Bool, true)),
            new("tokenizer.ggml.add_eos_token", new GgufValue(GgufValueType.Bool, false)),
        ];
    }

    private void WriteTensor(Stream stream, string name, GgmlType type, long[] dimensions, ulong seed)
    {
        var rowLength = (int)dimensions[0];
        var rows = dimensions.Skip(1).Aggregate(1L, static (a, b) => a * b);
        var rowBytes = (int)GgmlTypeInfo.RowBytes(type, rowLength);
        float[]? fixedValues = null;
        if (name == "rope_freqs.weight")
        {
            fixedValues = Shape.RopeScaling!.FrequencyFactors(Shape.HeadDimension, Shape.RopeFrequencyBase);
        }
        else if (dimensions.Length == 1)
        {
            fixedValues = Enumerable.Repeat(1f, rowLength).ToArray();
        }

        // Rows are made and quantized in parallel chunks, then written in order; each row has its own random stream,
        // so the bytes do not depend on the number of threads.
        var chunkRows = (int)Math.Clamp((4 << 20) / Math.Max(1, rowBytes), 1, rows);
        var chunk = new byte[(long)chunkRows * rowBytes];
        for (var first = 0L; first < rows; first += chunkRows)
        {
            var count = (int)Math.Min(chunkRows, rows - first);
            var firstRow = first;
            Parallel.For(0, count, () => new float[rowLength], (i, _, values) =>
            {
                var row = firstRow + i;
                if (fixedValues is not null)
                {
                    fixedValues.CopyTo(values, 0);
                }
                else
                {
                    FillUniform(values, seed ^ (0xD1B54A32D192ED03UL * (ulong)(row + 1)), WeightRange);
                }

                Quantizer.QuantizeRow(type, values, chunk.AsSpan(i * rowBytes, rowBytes));
                return values;
            }, static _ => { });
            stream.Write(chunk, 0, count * rowBytes);
        }
    }

    private static void FillUniform(Span<float> values, ulong state, float range)
    {
        var scale = 2 * range / (1 << 24);
        for (var i = 0; i < values.Length; i++)
        {
            // SplitMix64: fast, seedable, and the same on every platform.
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            values[i] = ((z >> 40) * scale) - range;
        }
    }
}
