namespace HybridAI.Llama;

/// <summary>Presents a <see cref="LlamaTokenizer"/> to generation as an <see cref="IPromptTokenizer"/>.</summary>
/// <remarks>Thread-safe as the tokenizer is; each detokenizer belongs to one generation.</remarks>
internal sealed class LlamaPromptTokenizer : IPromptTokenizer
{
    private readonly LlamaTokenizer _tokenizer;

    /// <summary>Wraps <paramref name="tokenizer"/>.</summary>
    public LlamaPromptTokenizer(LlamaTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
    }

    /// <inheritdoc />
    public int[] Encode(string text, bool addSpecial, bool parseSpecial) => _tokenizer.Encode(text, addSpecial, parseSpecial);

    /// <inheritdoc />
    public bool IsEndOfGeneration(int token) => _tokenizer.IsEndOfGeneration(token);

    /// <inheritdoc />
    /// <remarks>Control tokens give no text, as llama.cpp prints generated output by default.</remarks>
    public IStreamingDetokenizer CreateDetokenizer() => new LlamaStreamingDetokenizer(new StreamingDetokenizer(_tokenizer));
}
