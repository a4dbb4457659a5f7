namespace HybridAI.Llama;

/// <summary>
/// A llama-architecture model loaded from a GGUF file: its weights stay memory-mapped and are read in place.
/// </summary>
/// <remarks>
/// A loaded model is immutable and safe to share between threads; each conversation runs on its own context, which holds
/// the KV cache. Dispose the model after every context that uses it; disposing unmaps the file.
/// </remarks>
public sealed class LlamaModel : IDisposable
{
    private LlamaModel(GgufFile file, LlamaHyperparameters hyperparameters, LlamaWeights weights, LlamaTokenizer tokenizer, LlamaModelInfo info)
    {
        File = file;
        Hyperparameters = hyperparameters;
        Weights = weights;
        Tokenizer = tokenizer;
        Info = info;
    }

    /// <summary>Gets what the model is: architecture, sizes, tensor types, chat template.</summary>
    public LlamaModelInfo Info { get; }

    internal GgufFile File { get; }

    internal LlamaHyperparameters Hyperparameters { get; }

    internal LlamaWeights Weights { get; }

    internal LlamaTokenizer Tokenizer { get; }

    /// <summary>Loads a model, checking its architecture, shapes and tensor types before any work starts.</summary>
    /// <param name="path">The GGUF file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="GgufFormatException">The file is malformed, or holds an architecture or tensor type the engine does not run.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static LlamaModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = GgufFile.Open(path);
        try
        {
            var hyperparameters = LlamaHyperparameters.Read(file);
            var weights = LlamaWeights.Bind(file, hyperparameters);
            var tokenizer = LlamaTokenizer.FromGguf(file);
            if (tokenizer.VocabularySize != hyperparameters.VocabularySize)
            {
                throw new GgufFormatException(file.FilePath, "tokenizer.ggml.tokens", file.Metadata["tokenizer.ggml.tokens"].Offset,
                    $"the vocabulary has {tokenizer.VocabularySize} tokens but the embedding has {hyperparameters.VocabularySize} rows.");
            }

            return new LlamaModel(file, hyperparameters, weights, tokenizer, LlamaModelInfo.Describe(file, hyperparameters));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Creates a context (KV cache, scratch, worker threads) for one conversation at a time.</summary>
    internal LlamaContext CreateContext(int contextSize, KvCacheType kvCacheType, int threads) =>
        new(this, contextSize, kvCacheType, threads);

    /// <inheritdoc />
    public void Dispose() => File.Dispose();
}
