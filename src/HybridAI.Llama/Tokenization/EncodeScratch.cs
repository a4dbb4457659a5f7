namespace HybridAI.Llama;

/// <summary>
/// The working buffers of one encode call, kept between calls so that steady-state encoding allocates nothing.
/// </summary>
/// <remarks>Used by one call at a time; <see cref="LlamaTokenizer"/> hands instances out and takes them back.</remarks>
internal sealed class EncodeScratch
{
    /// <summary>The input as UTF-8.</summary>
    public byte[] Input = new byte[256];

    /// <summary>The bytes of the piece being tokenized (escaped SentencePiece text, or one byte-level BPE word).</summary>
    public byte[] Piece = new byte[256];

    /// <summary>The code points of a BPE fragment.</summary>
    public int[] Codepoints = new int[256];

    /// <summary>The pieces being merged.</summary>
    public MergeSymbol[] Symbols = new MergeSymbol[256];

    /// <summary>The merge candidates.</summary>
    public readonly BigramQueue Queue = new();

    /// <summary>The fragments after special tokens are cut out.</summary>
    public readonly List<TextFragment> Fragments = [];

    /// <summary>Spare fragment list for the partition passes.</summary>
    public readonly List<TextFragment> SpareFragments = [];

    /// <summary>Word lengths from the pre-tokenizer.</summary>
    public readonly List<int> Words = [];

    /// <summary>Spare list for the pre-tokenizer passes.</summary>
    public readonly List<int> SpareWords = [];

    /// <summary>Output of the array-returning encode.</summary>
    public readonly List<int> Output = [];

    /// <summary>Makes sure <paramref name="buffer"/> holds at least <paramref name="length"/> items, keeping nothing.</summary>
    public static void Ensure<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }
    }
}
