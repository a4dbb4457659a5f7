namespace HybridAI.Llama;

/// <summary>A token's type as GGUF stores it in <c>tokenizer.ggml.token_type</c> (llama.cpp's <c>llama_token_type</c>).</summary>
internal enum LlamaTokenType
{
    /// <summary>No type given.</summary>
    Undefined = 0,

    /// <summary>Ordinary text.</summary>
    Normal = 1,

    /// <summary>The unknown-token placeholder.</summary>
    Unknown = 2,

    /// <summary>A control token (BOS, EOS, chat markers): never produced from plain text, rendered only on request.</summary>
    Control = 3,

    /// <summary>A token added by the model's authors; matched in text before anything else, even without special parsing.</summary>
    UserDefined = 4,

    /// <summary>A reserved slot that is never used.</summary>
    Unused = 5,

    /// <summary>A SentencePiece byte-fallback token <c>&lt;0xXX&gt;</c>.</summary>
    Byte = 6,
}
