namespace HybridAI.Llama;

/// <summary>The shape and numeric settings of a <c>llama</c>-architecture model, read from GGUF metadata.</summary>
internal sealed record LlamaHyperparameters
{
    public const string SupportedArchitecture = "llama";

    public required int EmbeddingLength { get; init; }
    public required int FeedForwardLength { get; init; }
    public required int BlockCount { get; init; }
    public required int HeadCount { get; init; }
    public required int HeadCountKv { get; init; }
    public required int HeadDimension { get; init; }
    public required int RopeDimensionCount { get; init; }
    public required float RopeFreqBase { get; init; }
    public required float RopeFreqScale { get; init; }
    public required float RmsNormEpsilon { get; init; }
    public required int TrainedContextLength { get; init; }
    public required int VocabularySize { get; init; }

    /// <summary>Width of the query projection: heads × head dimension.</summary>
    public int QueryLength => HeadCount * HeadDimension;

    /// <summary>Width of a key or value row in the cache: kv heads × head dimension.</summary>
    public int KeyValueLength => HeadCountKv * HeadDimension;

    /// <summary>Reads and checks the hyperparameters. Every violation names the key at fault.</summary>
    public static LlamaHyperparameters Read(GgufFile file)
    {
        var metadata = file.Metadata;
        var architecture = metadata.GetString("general.architecture");
        if (architecture != SupportedArchitecture)
        {
            throw new GgufFormatException(file.FilePath, "general.architecture", metadata["general.architecture"].Offset,
                $"architecture '{architecture}' is not supported; HybridAI.Llama runs '{SupportedArchitecture}' models " +
                "(Llama 2, Llama 3.x, TinyLlama, SmolLM, Mistral).");
        }

        string Key(string name) => $"{architecture}.{name}";

        var embedding = Positive(file, Key("embedding_length"), metadata.GetUInt32(Key("embedding_length")));
        var heads = Positive(file, Key("attention.head_count"), metadata.GetUInt32(Key("attention.head_count")));
        var headsKv = metadata.TryGetUInt32(Key("attention.head_count_kv"), out var kv)
            ? Positive(file, Key("attention.head_count_kv"), kv)
            : heads;
        var headDimension = metadata.TryGetUInt32(Key("attention.key_length"), out var keyLength)
            ? Positive(file, Key("attention.key_length"), keyLength)
            : embedding / heads;
        if (metadata.TryGetUInt32(Key("attention.value_length"), out var valueLength) && valueLength != headDimension)
        {
            throw Invalid(file, Key("attention.value_length"), "a value head size different from the key head size is not supported.");
        }

        if (heads % headsKv != 0)
        {
            throw Invalid(file, Key("attention.head_count_kv"), $"{heads} query heads cannot be grouped over {headsKv} key/value heads.");
        }

        var ropeDimensions = metadata.TryGetUInt32(Key("rope.dimension_count"), out var rope)
            ? Positive(file, Key("rope.dimension_count"), rope)
            : headDimension;
        if (ropeDimensions > headDimension || ropeDimensions % 2 != 0)
        {
            throw Invalid(file, Key("rope.dimension_count"), $"{ropeDimensions} rotary dimensions do not fit a head of {headDimension}.");
        }

        var freqScale = 1.0f;
        if (metadata.TryGetString(Key("rope.scaling.type"), out var scalingType) && scalingType is not ("none" or "linear"))
        {
            // Llama 3's scaling arrives as the rope_freqs tensor, with type "llama3" or none; YaRN is not implemented.
            if (scalingType != "llama3")
            {
                throw Invalid(file, Key("rope.scaling.type"), $"rope scaling '{scalingType}' is not supported (none, linear and llama3 are).");
            }
        }
        else if (metadata.TryGetFloat32(Key("rope.scaling.factor"), out var factor) && factor > 0 && scalingType == "linear")
        {
            freqScale = 1.0f / factor;
        }

        var tokenEmbedding = file.GetTensor("token_embd.weight");
        return new LlamaHyperparameters
        {
            EmbeddingLength = embedding,
            FeedForwardLength = Positive(file, Key("feed_forward_length"), metadata.GetUInt32(Key("feed_forward_length"))),
            BlockCount = Positive(file, Key("block_count"), metadata.GetUInt32(Key("block_count"))),
            HeadCount = heads,
            HeadCountKv = headsKv,
            HeadDimension = headDimension,
            RopeDimensionCount = ropeDimensions,
            RopeFreqBase = metadata.TryGetFloat32(Key("rope.freq_base"), out var freqBase) ? freqBase : 10000.0f,
            RopeFreqScale = freqScale,
            RmsNormEpsilon = metadata.GetFloat32(Key("attention.layer_norm_rms_epsilon")),
            TrainedContextLength = Positive(file, Key("context_length"), metadata.GetUInt32(Key("context_length"))),
            VocabularySize = tokenEmbedding.Dimensions.Count == 2 && tokenEmbedding.Dimensions[1] is > 0 and <= int.MaxValue
                ? (int)tokenEmbedding.Dimensions[1]
                : throw new GgufFormatException(file.FilePath, "token_embd.weight", tokenEmbedding.DataOffset,
                    "the token embedding must be a 2-D tensor [embedding, vocabulary]."),
        };
    }

    private static int Positive(GgufFile file, string key, uint value) =>
        value is > 0 and <= 1 << 20 ? (int)value : throw Invalid(file, key, $"{value} is out of range.");

    private static GgufFormatException Invalid(GgufFile file, string key, string message) =>
        new(file.FilePath, key, file.Metadata.TryGetValue(key, out var value) ? value.Offset : 0, message);
}
