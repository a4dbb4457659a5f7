namespace HybridAI.Llama;

/// <summary>What a loaded GGUF model is: architecture, sizes, tensor types and chat template.</summary>
public sealed record LlamaModelInfo
{
    /// <summary>Gets the model's name from <c>general.name</c>, when present.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the architecture (<c>general.architecture</c>), for example <c>llama</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>Gets the size of the GGUF file in bytes.</summary>
    public required long FileSize { get; init; }

    /// <summary>Gets the number of weights.</summary>
    public required long ParameterCount { get; init; }

    /// <summary>Gets the embedding width.</summary>
    public required int EmbeddingLength { get; init; }

    /// <summary>Gets the number of transformer blocks.</summary>
    public required int BlockCount { get; init; }

    /// <summary>Gets the number of attention (query) heads.</summary>
    public required int HeadCount { get; init; }

    /// <summary>Gets the number of key/value heads (fewer than <see cref="HeadCount"/> with grouped-query attention).</summary>
    public required int HeadCountKv { get; init; }

    /// <summary>Gets the feed-forward width.</summary>
    public required int FeedForwardLength { get; init; }

    /// <summary>Gets the vocabulary size.</summary>
    public required int VocabularySize { get; init; }

    /// <summary>Gets the context length the model was trained with.</summary>
    public required int TrainedContextLength { get; init; }

    /// <summary>Gets how many tensors of each type the file holds.</summary>
    public required IReadOnlyDictionary<GgmlType, int> TensorTypes { get; init; }

    /// <summary>Gets the Jinja chat template from <c>tokenizer.chat_template</c>, when present.</summary>
    public string? ChatTemplate { get; init; }

    internal static LlamaModelInfo Describe(GgufFile file, LlamaHyperparameters hp)
    {
        var types = new SortedDictionary<GgmlType, int>();
        long parameters = 0;
        foreach (var tensor in file.Tensors)
        {
            types[tensor.Type] = types.TryGetValue(tensor.Type, out var count) ? count + 1 : 1;
            parameters += tensor.ElementCount;
        }

        return new LlamaModelInfo
        {
            Name = file.Metadata.TryGetString("general.name", out var name) ? name : null,
            Architecture = file.Metadata.GetString("general.architecture"),
            FileSize = file.FileSize,
            ParameterCount = parameters,
            EmbeddingLength = hp.EmbeddingLength,
            BlockCount = hp.BlockCount,
            HeadCount = hp.HeadCount,
            HeadCountKv = hp.HeadCountKv,
            FeedForwardLength = hp.FeedForwardLength,
            VocabularySize = hp.VocabularySize,
            TrainedContextLength = hp.TrainedContextLength,
            TensorTypes = types,
            ChatTemplate = file.Metadata.TryGetString("tokenizer.chat_template", out var template) ? template : null,
        };
    }
}
