namespace HybridAI.Llama.Tests;

/// <summary>
/// Writes tiny random-weight llama GGUF models for tests: set the sizes, optionally the type of each tensor, then
/// <see cref="Build"/> (a temp file deleted on dispose) or <see cref="WriteTo(string)"/>.
/// </summary>
/// <example>
/// <code>
/// using var model = new TestModelBuilder { BlockCount = 1, DefaultType = LlamaFileType.Q8_0 }.Build();
/// using var file = GgufFile.Open(model.Path);
/// </code>
/// </example>
public sealed class TestModelBuilder
{
    public int EmbeddingLength { get; set; } = 64;

    public int FeedForwardLength { get; set; } = 96;

    public int BlockCount { get; set; } = 2;

    public int HeadCount { get; set; } = 4;

    public int HeadCountKv { get; set; } = 2;

    /// <summary>The vocabulary size; at least 259 gives the made-up vocabulary all 256 byte tokens.</summary>
    public int VocabSize { get; set; } = 300;

    public int ContextLength { get; set; } = 128;

    public float RopeFrequencyBase { get; set; } = 10000f;

    public float RmsNormEpsilon { get; set; } = 1e-5f;

    /// <summary>True to leave out output.weight (the output head reuses token_embd).</summary>
    public bool TiedOutput { get; set; }

    /// <summary>Llama 3 RoPE scaling; when set the model gets a rope_freqs.weight tensor.</summary>
    internal LlamaRopeScaling? RopeScaling { get; set; }

    /// <summary>The weight types of the whole file (llama.cpp's mix for quantized types).</summary>
    internal LlamaFileType DefaultType { get; set; } = LlamaFileType.F32;

    /// <summary>Per-tensor type choice overriding <see cref="DefaultType"/> (return null to keep the mix's choice).</summary>
    internal Func<string, IReadOnlyList<long>, GgmlType?>? TensorType { get; set; }

    /// <summary>A vocabulary (all tokenizer.* keys) to copy, for example from a fixture; its size replaces <see cref="VocabSize"/>.</summary>
    internal IReadOnlyList<KeyValuePair<string, GgufValue>>? Vocabulary { get; set; }

    public ulong Seed { get; set; } = 1;

    public float WeightRange { get; set; } = 0.5f;

    /// <summary>Makes the builder copy the vocabulary of a GGUF file.</summary>
    public TestModelBuilder WithVocabularyFrom(string ggufPath)
    {
        using var file = GgufFile.Open(ggufPath);
        Vocabulary = RandomLlamaWriter.VocabularyFrom(file.Metadata);
        VocabSize = RandomLlamaWriter.TokenCount(Vocabulary);
        return this;
    }

    /// <summary>Makes every tensor of the given type (norms stay F32 unless the type is F32).</summary>
    internal TestModelBuilder WithAllMatrices(GgmlType type)
    {
        TensorType = (_, dims) => dims.Count >= 2 ? type : null;
        return this;
    }

    internal LlamaShape Shape => new("test-model", EmbeddingLength, FeedForwardLength, BlockCount, HeadCount, HeadCountKv,
        VocabSize, ContextLength, RopeFrequencyBase, TiedOutput)
    {
        RmsNormEpsilon = RmsNormEpsilon,
        RopeScaling = RopeScaling,
    };

    internal RandomLlamaWriter CreateWriter() => new(Shape, DefaultType)
    {
        Seed = Seed,
        WeightRange = WeightRange,
        Vocabulary = Vocabulary,
        TensorType = TensorType,
    };

    /// <summary>Writes the model to a path.</summary>
    public void WriteTo(string path) => CreateWriter().WriteTo(path);

    /// <summary>Writes the model to a temp file, deleted when the returned object is disposed.</summary>
    public TemporaryFile Build()
    {
        var file = new TemporaryFile();
        try
        {
            WriteTo(file.Path);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
