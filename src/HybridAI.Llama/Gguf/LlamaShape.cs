namespace HybridAI.Llama;

/// <summary>The hyper-parameters of a llama-architecture model: enough to write a random-weight GGUF file of that shape.</summary>
/// <param name="Name">A name for the shape (written as <c>general.name</c>).</param>
/// <param name="EmbeddingLength">n_embd.</param>
/// <param name="FeedForwardLength">n_ff.</param>
/// <param name="BlockCount">n_layer.</param>
/// <param name="HeadCount">n_head.</param>
/// <param name="HeadCountKv">n_head_kv (grouped-query attention when smaller than n_head).</param>
/// <param name="VocabSize">n_vocab.</param>
/// <param name="ContextLength">The training context length.</param>
/// <param name="RopeFrequencyBase">rope.freq_base (theta).</param>
/// <param name="TiedOutput">True when the output head reuses token_embd (no output.weight).</param>
internal sealed record LlamaShape(
    string Name,
    int EmbeddingLength,
    int FeedForwardLength,
    int BlockCount,
    int HeadCount,
    int HeadCountKv,
    int VocabSize,
    int ContextLength,
    float RopeFrequencyBase,
    bool TiedOutput)
{
    /// <summary>TinyLlama 1.1B.</summary>
    public static LlamaShape TinyLlama11B { get; } = new("tinyllama-1.1b", 2048, 5632, 22, 32, 4, 32000, 2048, 10000f, false);

    /// <summary>Llama 3.2 1B (tied output, Llama 3 RoPE scaling).</summary>
    public static LlamaShape Llama32_1B { get; } = new("llama-3.2-1b", 2048, 8192, 16, 32, 8, 128256, 131072, 500000f, true)
    {
        RopeScaling = new LlamaRopeScaling(32f, 1f, 4f, 8192),
    };

    /// <summary>SmolLM 135M (tied output).</summary>
    public static LlamaShape SmolLM135M { get; } = new("smollm-135m", 576, 1536, 30, 9, 3, 49152, 2048, 10000f, true);

    /// <summary>Gets the named shapes.</summary>
    public static IReadOnlyList<LlamaShape> Known { get; } = [TinyLlama11B, Llama32_1B, SmolLM135M];

    /// <summary>Gets or initializes the RMS norm epsilon.</summary>
    public float RmsNormEpsilon { get; init; } = 1e-5f;

    /// <summary>Gets or initializes the Llama 3 RoPE scaling, when the model has it (written as <c>rope_freqs.weight</c>).</summary>
    public LlamaRopeScaling? RopeScaling { get; init; }

    /// <summary>Gets the dimension of one attention head.</summary>
    public int HeadDimension => EmbeddingLength / HeadCount;

    /// <summary>Finds a named shape (case-insensitive).</summary>
    public static LlamaShape? Find(string name) =>
        Known.FirstOrDefault(shape => string.Equals(shape.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Throws when the numbers do not make a valid llama model.</summary>
    public void Validate()
    {
        if (EmbeddingLength <= 0 || FeedForwardLength <= 0 || BlockCount <= 0 || HeadCount <= 0 || HeadCountKv <= 0
            || VocabSize <= 0 || ContextLength <= 0)
        {
            throw new ArgumentException($"Shape '{Name}': every size must be positive.");
        }

        if (EmbeddingLength % HeadCount != 0 || HeadCount % HeadCountKv != 0 || HeadDimension % 2 != 0)
        {
            throw new ArgumentException(
                $"Shape '{Name}': n_embd ({EmbeddingLength}) must split into n_head ({HeadCount}) heads of even size, and n_head into n_head_kv ({HeadCountKv}) groups.");
        }
    }

    /// <summary>Counts the parameters of the model.</summary>
    public long ParameterCount()
    {
        long embd = EmbeddingLength;
        long kv = (long)HeadCountKv * HeadDimension;
        var perLayer = (2 * embd) + (2 * embd * embd) + (2 * embd * kv) + (3 * embd * FeedForwardLength);
        var total = (BlockCount * perLayer) + embd + (embd * VocabSize * (TiedOutput ? 1 : 2));
        return total + (RopeScaling is null ? 0 : HeadDimension / 2);
    }
}
