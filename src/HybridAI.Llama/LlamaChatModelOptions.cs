namespace HybridAI.Llama;

/// <summary>Settings of an in-process Llama model (<see cref="LlamaChatModel"/>).</summary>
/// <remarks>Read once when the model is created; changing them afterwards has no effect.</remarks>
public sealed class LlamaChatModelOptions
{
    /// <summary>Gets or sets the path of the GGUF file.</summary>
    public string ModelPath { get; set; } = string.Empty;

    /// <summary>Gets or sets the number of threads the forward pass uses; zero or less uses every processor.</summary>
    public int Threads { get; set; }

    /// <summary>Gets or sets the context size in tokens (prompt and answer together) of each context.</summary>
    public int ContextSize { get; set; } = 4096;

    /// <summary>Gets or sets the element type of the KV cache.</summary>
    public KvCacheType KvCacheType { get; set; } = KvCacheType.F16;

    /// <summary>
    /// Gets or sets the chat template family (llama.cpp's names: <c>chatml</c>, <c>llama2</c>, <c>llama2-sys</c>,
    /// <c>llama2-sys-bos</c>, <c>llama2-sys-strip</c>, <c>mistral-v1</c>, <c>mistral-v3</c>, <c>mistral-v3-tekken</c>,
    /// <c>mistral-v7</c>, <c>mistral-v7-tekken</c>, <c>phi3</c>, <c>phi4</c>, <c>zephyr</c>, <c>gemma</c>, <c>llama3</c>),
    /// or null to detect it from the file's <c>tokenizer.chat_template</c> (ChatML when the file has none).
    /// </summary>
    public string? ChatTemplate { get; set; }

    /// <summary>
    /// Gets or sets how many calls may generate at the same time, each in its own context (KV cache, memory grows with it).
    /// Further calls wait their turn.
    /// </summary>
    public int MaxConcurrentContexts { get; set; } = 1;

    /// <summary>Gets or sets the sampling used when a call's <c>ChatOptions</c> do not say otherwise.</summary>
    public SamplingOptions Sampling { get; set; } = SamplingOptions.Default;

    /// <summary>Gets or sets the most tokens an answer may have when the call does not say; null stops only when the context is full.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="HybridAIException">A setting is invalid; the message names it.</exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            throw new HybridAIException("The Llama model needs a ModelPath (the GGUF file).");
        }

        if (ContextSize <= 0)
        {
            throw new HybridAIException($"ContextSize must be positive; it is {ContextSize}.");
        }

        if (MaxConcurrentContexts <= 0)
        {
            throw new HybridAIException($"MaxConcurrentContexts must be positive; it is {MaxConcurrentContexts}.");
        }

        if (MaxOutputTokens is <= 0)
        {
            throw new HybridAIException($"MaxOutputTokens must be positive when set; it is {MaxOutputTokens}.");
        }

        if (!Enum.IsDefined(KvCacheType))
        {
            throw new HybridAIException($"KvCacheType '{KvCacheType}' is not one of F16, F32.");
        }

        ArgumentNullException.ThrowIfNull(Sampling);
        try
        {
            Sampling.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new HybridAIException($"Sampling.{ex.ParamName} is invalid: {ex.Message}", ex);
        }
    }
}
