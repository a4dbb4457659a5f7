namespace HybridAI.Llama;

/// <summary>
/// What generation needs from a tokenizer: text to token ids, the end-of-generation test, and a streaming detokenizer.
/// <c>LlamaTokenizer</c> is adapted to it; tests use fakes.
/// </summary>
/// <remarks>Implementations must be safe to call from several threads at once (each generation has its own detokenizer).</remarks>
internal interface IPromptTokenizer
{
    /// <summary>Turns text into token ids.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecial">Whether to add the model's BOS/EOS tokens as its metadata says.</param>
    /// <param name="parseSpecial">Whether special-token text (for example <c>&lt;|im_start|&gt;</c>) becomes the special token.</param>
    /// <returns>The token ids.</returns>
    int[] Encode(string text, bool addSpecial, bool parseSpecial);

    /// <summary>Tells whether <paramref name="token"/> ends generation (EOS, EOT and the like).</summary>
    bool IsEndOfGeneration(int token);

    /// <summary>Creates a detokenizer for one generation.</summary>
    IStreamingDetokenizer CreateDetokenizer();
}
