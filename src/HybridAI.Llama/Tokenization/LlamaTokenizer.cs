using System.Text;

namespace HybridAI.Llama;

/// <summary>
/// Turns text into token ids and back exactly as llama.cpp does (<c>llama_tokenize</c>, <c>llama_token_to_piece</c>,
/// <c>llama_detokenize</c>) for SentencePiece (<c>tokenizer.ggml.model = llama</c>) and byte-level BPE
/// (<c>gpt2</c>) vocabularies.
/// </summary>
/// <remarks>
/// Immutable once built and thread-safe: any number of threads may encode and decode at once. Encoding reuses pooled
/// working buffers, so steady-state calls to <see cref="Encode(ReadOnlySpan{char}, List{int}, bool, bool)"/> allocate
/// nothing beyond growing the caller's list.
/// </remarks>
internal sealed partial class LlamaTokenizer
{
    private readonly string[] _tokens;
    private readonly LlamaTokenAttributes[] _attributes;
    private readonly float[] _scores;
    private readonly TokenTextTable _texts;          // ids below VocabularySize are tokens; above are BPE merge parts
    private readonly Dictionary<long, int> _mergeRanks = [];
    private readonly int[] _byteTokens = new int[256]; // SentencePiece byte fallback, -1 when absent
    private readonly int[] _specialTokens;           // control, user-defined and unknown tokens, longest text first
    private readonly bool[] _endOfGeneration;
    private readonly byte[] _pieces;                 // token_to_piece(special = true), concatenated
    private readonly int[] _pieceStarts;             // [VocabularySize + 1]
    private readonly bool _isBytePair;
    private readonly PreTokenizerKind _preTokenizer;
    private readonly bool _addSpacePrefix;
    private readonly bool _cleanSpaces;
    private readonly bool _ignoreMerges;
    private EncodeScratch? _cachedScratch;

    /// <summary>Gets the number of tokens.</summary>
    public int VocabularySize => _tokens.Length;

    /// <summary>Gets the tokenizer model: <c>"llama"</c> (SentencePiece) or <c>"gpt2"</c> (byte-level BPE).</summary>
    public string Model { get; }

    /// <summary>Gets the pre-tokenizer name as the file gives it (<c>"default"</c> when absent).</summary>
    public string PreTokenizer { get; }

    /// <summary>Gets the beginning-of-sequence token, or -1 when the vocabulary has none.</summary>
    public int BosId { get; }

    /// <summary>Gets the end-of-sequence token, or -1 when the vocabulary has none.</summary>
    public int EosId { get; }

    /// <summary>Gets the end-of-turn token (given, or found by its text as llama.cpp does), if any.</summary>
    public int? EotId { get; }

    /// <summary>Gets the end-of-message token (<c>&lt;|eom_id|&gt;</c>), if any.</summary>
    public int? EomId { get; }

    /// <summary>Gets the unknown token, if any.</summary>
    public int? UnknownId { get; }

    /// <summary>Gets the padding token, if any.</summary>
    public int? PaddingId { get; }

    /// <summary>Gets whether encoding with <c>addSpecial</c> puts <see cref="BosId"/> first.</summary>
    public bool AddBos { get; }

    /// <summary>Gets whether encoding with <c>addSpecial</c> puts <see cref="EosId"/> last.</summary>
    public bool AddEos { get; }

    /// <summary>Gets whether SentencePiece text gets a leading space (and decoding drops the first token's).</summary>
    public bool AddSpacePrefix => _addSpacePrefix;

    /// <summary>Returns whether generation should stop at <paramref name="id"/> (llama.cpp's <c>llama_vocab_is_eog</c>).</summary>
    public bool IsEndOfGeneration(int id) => (uint)id < (uint)_endOfGeneration.Length && _endOfGeneration[id];

    /// <summary>Returns whether <paramref name="id"/> is a control token.</summary>
    public bool IsControl(int id) => (uint)id < (uint)_attributes.Length && (_attributes[id] & LlamaTokenAttributes.Control) != 0;

    /// <summary>Returns the attributes of <paramref name="id"/>.</summary>
    public LlamaTokenAttributes GetAttributes(int id) => _attributes[id];

    /// <summary>Returns the token's text as the vocabulary stores it (with <c>▁</c> or byte-level characters).</summary>
    public string GetTokenText(int id) => _tokens[id];

    /// <summary>Encodes <paramref name="text"/> into a new array.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecial">Whether to add BOS/EOS as the vocabulary asks (<see cref="AddBos"/>, <see cref="AddEos"/>).</param>
    /// <param name="parseSpecial">Whether text spelling a control token becomes that token; user-defined tokens are always matched.</param>
    public int[] Encode(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<int>(text.Length / 3 + 4);
        Encode(text.AsSpan(), output, addSpecial, parseSpecial);
        return [.. output];
    }

    /// <summary>Encodes <paramref name="text"/>, appending the ids to <paramref name="output"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="output">Receives the ids; existing items are kept.</param>
    /// <param name="addSpecial">Whether to add BOS/EOS as the vocabulary asks (<see cref="AddBos"/>, <see cref="AddEos"/>).</param>
    /// <param name="parseSpecial">Whether text spelling a control token becomes that token; user-defined tokens are always matched.</param>
    public void Encode(ReadOnlySpan<char> text, List<int> output, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(output);
        var scratch = Interlocked.Exchange(ref _cachedScratch, null) ?? new EncodeScratch();
        try
        {
            var length = Encoding.UTF8.GetByteCount(text);
            EncodeScratch.Ensure(ref scratch.Input, length);
            Encoding.UTF8.GetBytes(text, scratch.Input);
            PartitionSpecialTokens(scratch, length, parseSpecial);

            if (_isBytePair)
            {
                EncodeBytePair(scratch, output, addSpecial);
            }
            else
            {
                EncodeSentencePiece(scratch, output, addSpecial);
            }
        }
        finally
        {
            _cachedScratch = scratch;
        }
    }

    // llama.cpp's tokenizer_st_partition: for each special token, longest first, cut every occurrence out of the raw
    // fragments. Control and unknown tokens take part only when parseSpecial; user-defined tokens always do.
    private void PartitionSpecialTokens(EncodeScratch scratch, int length, bool parseSpecial)
    {
        var fragments = scratch.Fragments;
        fragments.Clear();
        if (length == 0)
        {
            return;
        }

        fragments.Add(TextFragment.Text(0, length));
        var input = scratch.Input.AsSpan(0, length);
        var spare = scratch.SpareFragments;

        foreach (var special in _specialTokens)
        {
            var attributes = _attributes[special];
            if (!parseSpecial && (attributes & (LlamaTokenAttributes.Control | LlamaTokenAttributes.Unknown)) != 0)
            {
                continue;
            }

            var text = _texts[special];
            var found = false;
            foreach (var fragment in fragments)
            {
                if (fragment.IsText && input.Slice(fragment.Start, fragment.Length).IndexOf(text) >= 0)
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                continue;
            }

            spare.Clear();
            foreach (var fragment in fragments)
            {
                if (!fragment.IsText)
                {
                    spare.Add(fragment);
                    continue;
                }

                CutOut(input, fragment, special, text, attributes, spare);
            }

            (fragments, spare) = (spare, fragments);
        }

        if (!ReferenceEquals(fragments, scratch.Fragments))
        {
            scratch.Fragments.Clear();
            scratch.Fragments.AddRange(fragments);
        }
    }

    private static void CutOut(ReadOnlySpan<byte> input, TextFragment fragment, int special, ReadOnlySpan<byte> text,
        LlamaTokenAttributes attributes, List<TextFragment> output)
    {
        var start = fragment.Start;
        var length = fragment.Length;
        var match = input.Slice(start, length).IndexOf(text);
        if (match < 0)
        {
            output.Add(fragment);
            return;
        }

        while (true)
        {
            var left = match;
            if ((attributes & LlamaTokenAttributes.LeftStrip) != 0)
            {
                while (left > 0 && IsCSpace(input[start + left - 1]))
                {
                    left--;
                }
            }

            if (left > 0)
            {
                output.Add(TextFragment.Text(start, left));
            }

            output.Add(TextFragment.Special(special));

            var rightStart = start + match + text.Length;
            var rightLength = length - match - text.Length;
            if (rightLength <= 0)
            {
                return;
            }

            if ((attributes & LlamaTokenAttributes.RightStrip) != 0)
            {
                while (rightLength > 0 && IsCSpace(input[rightStart]))
                {
                    rightStart++;
                    rightLength--;
                }
            }

            start = rightStart;
            length = rightLength;
            match = length > 0 ? input.Slice(start, length).IndexOf(text) : -1;
            if (match < 0)
            {
                if (length > 0)
                {
                    output.Add(TextFragment.Text(start, length));
                }

                return;
            }
        }
    }

    // C's isspace in the "C" locale.
    private static bool IsCSpace(byte b) => b == ' ' || (uint)(b - '\t') <= '\r' - '\t';
}
