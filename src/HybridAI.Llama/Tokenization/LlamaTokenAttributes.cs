namespace HybridAI.Llama;

/// <summary>Per-token flags, as llama.cpp's <c>llama_token_attr</c> (the type, plus stripping rules some models set).</summary>
[Flags]
internal enum LlamaTokenAttributes
{
    /// <summary>No type known.</summary>
    None = 0,

    /// <summary>The unknown-token placeholder.</summary>
    Unknown = 1 << 0,

    /// <summary>A reserved slot.</summary>
    Unused = 1 << 1,

    /// <summary>Ordinary text.</summary>
    Normal = 1 << 2,

    /// <summary>A control token.</summary>
    Control = 1 << 3,

    /// <summary>A user-defined token.</summary>
    UserDefined = 1 << 4,

    /// <summary>A byte-fallback token.</summary>
    Byte = 1 << 5,

    /// <summary>Whitespace before the token is dropped when it is matched in text.</summary>
    LeftStrip = 1 << 7,

    /// <summary>Whitespace after the token is dropped when it is matched in text.</summary>
    RightStrip = 1 << 8,
}
