namespace HybridAI.Llama;

/// <summary>
/// The word-splitting rules a byte-level BPE vocabulary asks for (<c>tokenizer.ggml.pre</c>), grouped as llama.cpp groups them.
/// </summary>
internal enum PreTokenizerKind
{
    /// <summary>No split: SentencePiece vocabularies.</summary>
    None = 0,

    /// <summary>llama.cpp's fallback for BPE: punctuation runs, then the GPT-2 regex, then digit runs, then digit triples.</summary>
    Default,

    /// <summary>The GPT-2 regex <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c> (also mpt, olmo, jais, phi-2…).</summary>
    Gpt2,

    /// <summary>The Llama 3 regex, digits in groups of up to three (also dbrx, smaug, chatglm4).</summary>
    Llama3,

    /// <summary>The Llama 3 regex with single digits (qwen2, stablelm2, megrez).</summary>
    Qwen2,
}
