namespace HybridAI.Llama;

/// <summary>The engine behind <see cref="LlamaChatModel"/>: a loaded <see cref="LlamaModel"/> and its contexts.</summary>
/// <remarks>Thread-safe: the model is immutable and each context is created for one user at a time. Owns the model.</remarks>
internal sealed class LlamaModelBackend : ILlamaBackend
{
    private readonly LlamaModel _model;
    private readonly int _threads;

    /// <summary>Wraps a loaded model; its contexts use <paramref name="threads"/> threads (zero or less: every processor).</summary>
    public LlamaModelBackend(LlamaModel model, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _threads = threads > 0 ? threads : Environment.ProcessorCount;
        Tokenizer = new LlamaPromptTokenizer(model.Tokenizer);
    }

    /// <inheritdoc />
    public IPromptTokenizer Tokenizer { get; }

    /// <inheritdoc />
    public string? ChatTemplate => _model.Info.ChatTemplate;

    /// <inheritdoc />
    public ITokenDecoder CreateDecoder(int contextSize, KvCacheType kvCacheType) =>
        _model.CreateContext(contextSize, kvCacheType, _threads);

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();
}
