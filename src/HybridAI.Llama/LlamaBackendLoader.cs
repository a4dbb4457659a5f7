namespace HybridAI.Llama;

/// <summary>Loads a GGUF file into an <see cref="ILlamaBackend"/> for <see cref="LlamaChatModel"/>.</summary>
internal static class LlamaBackendLoader
{
    /// <summary>Loads the model that <paramref name="options"/> names.</summary>
    /// <exception cref="ChatModelException">
    /// The file is missing, unreadable, malformed or of an architecture the engine does not run (kind
    /// <see cref="ChatModelErrorKind.Unavailable"/>); the message names the file and the reason.
    /// </exception>
    public static ILlamaBackend Load(LlamaChatModelOptions options, string modelName)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return new LlamaModelBackend(LlamaModel.Load(options.ModelPath), options.Threads);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or GgufFormatException)
        {
            throw new ChatModelException(ChatModelErrorKind.Unavailable, modelName,
                $"Model '{modelName}' cannot be loaded from '{options.ModelPath}': {ex.Message}", ex);
        }
    }
}
