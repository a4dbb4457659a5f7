namespace HybridAI.Llama;

/// <summary>
/// The generation loop: evaluates a prompt (reusing the prefix already in the cache), then samples, streams text and
/// evaluates one token at a time until a stop rule fires.
/// </summary>
/// <remarks>
/// Synchronous CPU work: callers run it off their own thread. Stop rules, in the order they are checked after each sampled
/// token: an end-of-generation token (unless ignored; its text is not emitted), a completed stop sequence (never emitted,
/// nor any part of it), the token limit, a full context. Cancellation is observed between tokens and inside
/// <see cref="ITokenDecoder.Decode"/>.
/// </remarks>
internal static class TokenGenerator
{
    /// <summary>Runs one generation.</summary>
    /// <param name="decoder">The context to evaluate tokens in; it keeps the prompt and the evaluated output afterwards.</param>
    /// <param name="tokenizer">Tells end-of-generation tokens and turns tokens into text.</param>
    /// <param name="prompt">The whole prompt's tokens; the part already in <paramref name="decoder"/> is not evaluated again.</param>
    /// <param name="settings">Sampling, limits and stop rules.</param>
    /// <param name="onToken">Receives each step, in order, on the calling thread.</param>
    /// <param name="cancellationToken">Cancels between tokens.</param>
    /// <returns>Token counts and why generation stopped.</returns>
    /// <exception cref="ArgumentException">The prompt is empty or does not fit in the context.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static GenerationResult Generate(
        ITokenDecoder decoder,
        IPromptTokenizer tokenizer,
        ReadOnlySpan<int> prompt,
        GenerationSettings settings,
        Action<GeneratedToken> onToken,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(onToken);
        if (prompt.IsEmpty)
        {
            throw new ArgumentException("The prompt has no token.", nameof(prompt));
        }

        if (prompt.Length > decoder.ContextSize)
        {
            throw new ArgumentException(
                $"The prompt has {prompt.Length} tokens; the context holds {decoder.ContextSize}.", nameof(prompt));
        }

        cancellationToken.ThrowIfCancellationRequested();

        var sampler = new TokenSampler(decoder.VocabularySize, settings.Sampling, settings.FallbackSeed);
        sampler.Accept(prompt);
        var detokenizer = tokenizer.CreateDetokenizer();
        var stops = new StopSequenceMatcher(settings.StopSequences);

        var reused = ReusePrefix(decoder, prompt);
        var logits = decoder.Decode(prompt[reused..], cancellationToken);

        var next = new int[1];
        var generated = 0;
        GenerationFinishReason reason;
        while (true)
        {
            if (settings.MaxTokens is { } max && generated >= max)
            {
                reason = GenerationFinishReason.MaxTokens;
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var token = sampler.Sample(logits);
            sampler.Accept(token);
            generated++;

            if (!settings.IgnoreEndOfGeneration && tokenizer.IsEndOfGeneration(token))
            {
                reason = GenerationFinishReason.EndOfGeneration;
                break;
            }

            var text = stops.Push(detokenizer.Append(token), out var stopped);
            onToken(new GeneratedToken(token, text));
            if (stopped)
            {
                return new GenerationResult(prompt.Length, reused, generated, GenerationFinishReason.StopSequence);
            }

            if (settings.MaxTokens is { } limit && generated >= limit)
            {
                reason = GenerationFinishReason.MaxTokens;
                break;
            }

            if (decoder.Tokens.Length >= decoder.ContextSize)
            {
                reason = GenerationFinishReason.ContextFull;
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            next[0] = token;
            logits = decoder.Decode(next, cancellationToken);
        }

        // The output ended without completing a stop sequence: release what was held back.
        var tail = stops.Push(detokenizer.Flush(), out var stoppedAtEnd) + (stoppedAtEnd ? string.Empty : stops.Flush());
        if (tail.Length > 0)
        {
            onToken(new GeneratedToken(-1, tail));
        }

        return new GenerationResult(prompt.Length, reused, generated, stoppedAtEnd ? GenerationFinishReason.StopSequence : reason);
    }

    /// <summary>
    /// Truncates the cache to its longest common prefix with <paramref name="prompt"/> and returns that length. At least the
    /// last prompt token is always evaluated again, because its logits are needed.
    /// </summary>
    internal static int ReusePrefix(ITokenDecoder decoder, ReadOnlySpan<int> prompt)
    {
        var common = decoder.Tokens.CommonPrefixLength(prompt);
        if (common >= prompt.Length)
        {
            common = prompt.Length - 1;
        }

        if (common < decoder.Tokens.Length)
        {
            decoder.Truncate(common);
        }

        return common;
    }
}
