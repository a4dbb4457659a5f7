namespace HybridAI.Llama;

/// <summary>
/// A loaded model as <see cref="LlamaChatModel"/> sees it: its tokenizer, its chat template and a way to create
/// contexts. The engine implements it over <c>LlamaModel</c>; tests use fakes.
/// </summary>
/// <remarks>
/// <see cref="Tokenizer"/> and <see cref="CreateDecoder"/> may be called from several threads at once. Each decoder is
/// used by one generation at a time. Disposing the backend releases the model (the file mapping); decoders that implement
/// <see cref="IDisposable"/> are disposed by their owner first.
/// </remarks>
internal interface ILlamaBackend : IDisposable
{
    /// <summary>Gets the model's tokenizer.</summary>
    IPromptTokenizer Tokenizer { get; }

    /// <summary>Gets the model's Jinja chat template (<c>tokenizer.chat_template</c>), or null when the file has none.</summary>
    string? ChatTemplate { get; }

    /// <summary>Creates a context (KV cache) of <paramref name="contextSize"/> tokens.</summary>
    ITokenDecoder CreateDecoder(int contextSize, KvCacheType kvCacheType);
}
