namespace HybridAI.Llama;

/// <summary>Loads a GGUF file into an <see cref="ILlamaBackend"/> for <see cref="LlamaChatModel"/>.</summary>
internal static class LlamaBackendLoader
{
    /// <summary>Loads the model that <paramref name="options"/> names.</summary>
    /// <exception cref="ChatModelException">The file cannot be loaded (kind <see cref="ChatModelErrorKind.Unavailable"/>).</exception>
    public static ILlamaBackend Load(LlamaChatModelOptions options, string modelName)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The forward pass (LlamaModel / LlamaContext) plugs in here: LlamaModel.Load(options.ModelPath, options.Threads)
        // wrapped as an ILlamaBackend. Until it is wired, loading fails with a clear message rather than a fake model.
        throw new ChatModelException(ChatModelErrorKind.Unavailable, modelName,
            $"Model '{modelName}' cannot be loaded: the in-process Llama engine is not available in this build.");
    }
}
