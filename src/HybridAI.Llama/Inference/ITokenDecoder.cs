namespace HybridAI.Llama;

/// <summary>
/// The seam between generation (sampling, stop rules, chat) and the forward pass: something that holds a sequence of
/// tokens in its KV cache and gives the logits of the next token. <c>LlamaContext</c> implements it; tests use scripted fakes.
/// </summary>
/// <remarks>Not thread-safe: one caller at a time.</remarks>
internal interface ITokenDecoder
{
    /// <summary>Gets the number of logits <see cref="Decode"/> returns (the vocabulary size).</summary>
    int VocabularySize { get; }

    /// <summary>Gets the most tokens the cache can hold.</summary>
    int ContextSize { get; }

    /// <summary>Gets the tokens now in the cache, in order (their positions are their indices).</summary>
    ReadOnlySpan<int> Tokens { get; }

    /// <summary>
    /// Appends <paramref name="tokens"/> at the positions after <see cref="Tokens"/>, runs the forward pass over them, and
    /// returns the logits that follow the last one. The span stays valid until the next call.
    /// </summary>
    /// <exception cref="ArgumentException">There is no token, or the cache would overflow <see cref="ContextSize"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled between layers or tokens; the cache then holds only the tokens fully evaluated.</exception>
    ReadOnlySpan<float> Decode(scoped ReadOnlySpan<int> tokens, CancellationToken cancellationToken = default);

    /// <summary>Drops every token from position <paramref name="length"/> on, keeping the prefix (to reuse a shared conversation prefix).</summary>
    void Truncate(int length);
}
