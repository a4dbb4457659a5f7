namespace HybridAI.Llama;

/// <summary>Why generation stopped.</summary>
internal enum GenerationFinishReason
{
    /// <summary>The model produced an end-of-generation token.</summary>
    EndOfGeneration,

    /// <summary>The output reached one of the stop sequences (which is not part of the output).</summary>
    StopSequence,

    /// <summary>The maximum number of tokens was generated.</summary>
    MaxTokens,

    /// <summary>The context (KV cache) is full: no further token can be evaluated.</summary>
    ContextFull,
}
