namespace HybridAI.Llama;

/// <summary>Presents a <see cref="StreamingDetokenizer"/> to generation as an <see cref="IStreamingDetokenizer"/>.</summary>
/// <remarks>Not thread-safe: one per generation.</remarks>
internal sealed class LlamaStreamingDetokenizer : IStreamingDetokenizer
{
    private readonly StreamingDetokenizer _detokenizer;

    /// <summary>Wraps <paramref name="detokenizer"/>.</summary>
    public LlamaStreamingDetokenizer(StreamingDetokenizer detokenizer)
    {
        _detokenizer = detokenizer;
    }

    /// <inheritdoc />
    public string Append(int token) => _detokenizer.Append(token);

    /// <inheritdoc />
    public string Flush() => _detokenizer.Flush();
}
