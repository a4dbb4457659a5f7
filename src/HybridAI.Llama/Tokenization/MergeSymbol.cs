namespace HybridAI.Llama;

/// <summary>
/// One piece of a word while merges run: a byte range of the word, linked to its neighbours (llama.cpp's <c>llm_symbol</c>).
/// A piece merged into its left neighbour keeps its start and gets length 0.
/// </summary>
internal struct MergeSymbol
{
    /// <summary>The previous live piece, or -1.</summary>
    public int Prev;

    /// <summary>The next live piece, or -1.</summary>
    public int Next;

    /// <summary>Where the piece starts in the word's bytes.</summary>
    public int Start;

    /// <summary>The piece's length in bytes (0 once merged away).</summary>
    public int Length;

    /// <summary>The piece's text id in the tokenizer's text table, or -1 (BPE only).</summary>
    public int TextId;
}
