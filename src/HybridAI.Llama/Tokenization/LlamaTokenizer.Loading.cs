using System.Globalization;
using System.Text;

namespace HybridAI.Llama;

internal sealed partial class LlamaTokenizer
{
    // Texts llama.cpp recognizes when the file does not name the token (llama_vocab::impl::load).
    private static readonly string[] s_eotTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>", "<｜end▁of▁sentence｜>"];
    private static readonly string[] s_fimPreTexts = ["<|fim_prefix|>", "<fim-prefix>", "<｜fim▁begin｜>", "<PRE>"];
    private static readonly string[] s_fimSufTexts = ["<|fim_suffix|>", "<fim-suffix>", "<｜fim▁hole｜>", "<SUF>"];
    private static readonly string[] s_fimMidTexts = ["<|fim_middle|>", "<fim-middle>", "<｜fim▁end｜>", "<MID>"];
    private static readonly string[] s_fimPadTexts = ["<|fim_pad|>", "<fim-pad>", "<PAD>"];
    private static readonly string[] s_fimRepTexts = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>"];
    private static readonly string[] s_fimSepTexts = ["<|file_sep|>"];
    private static readonly string[] s_endOfGenerationTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>"];

    /// <summary>Builds a tokenizer from a vocabulary description, applying llama.cpp's defaults for what it leaves out.</summary>
    /// <exception cref="ChatModelException">The tokenizer model or pre-tokenizer is not supported, or the vocabulary is malformed.</exception>
    public LlamaTokenizer(LlamaVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var modelName = vocabulary.ModelName;
        var n = vocabulary.Tokens.Count;
        if (n == 0)
        {
            throw Malformed(modelName, "The vocabulary has no tokens.");
        }

        Model = vocabulary.Model;
        PreTokenizer = string.IsNullOrEmpty(vocabulary.PreTokenizer) ? "default" : vocabulary.PreTokenizer;

        // Defaults per tokenizer model.
        int bos, eos;
        int? unknown, padding = null;
        bool addBos = false, addEos = false, addSpacePrefix = false, cleanSpaces = false, ignoreMerges = false;
        switch (vocabulary.Model)
        {
            case "llama":
                bos = 1;
                eos = 2;
                unknown = 0;
                addSpacePrefix = true;
                addBos = true;
                _preTokenizer = PreTokenizerKind.None;
                break;
            case "gpt2":
                _isBytePair = true;
                bos = 11;
                eos = 11;
                unknown = null;
                if (vocabulary.Merges is null)
                {
                    throw Malformed(modelName, "A BPE vocabulary needs tokenizer.ggml.merges.");
                }

                (_preTokenizer, var pre) = ResolvePreTokenizer(PreTokenizer, modelName);
                cleanSpaces = pre.CleanSpaces;
                ignoreMerges = pre.IgnoreMerges;
                addBos = pre.AddBos;
                if (pre.NoBos)
                {
                    bos = -1;
                }

                break;
            default:
                throw new ChatModelException(ChatModelErrorKind.Unavailable, modelName,
                    $"Tokenizer model '{vocabulary.Model}' is not supported (only 'llama' and 'gpt2').");
        }

        _addSpacePrefix = vocabulary.AddSpacePrefix ?? addSpacePrefix;
        _cleanSpaces = cleanSpaces;
        _ignoreMerges = ignoreMerges;

        // Token texts, scores, attributes.
        _tokens = new string[n];
        _scores = new float[n];
        _attributes = new LlamaTokenAttributes[n];
        _texts = new TokenTextTable(n + (vocabulary.Merges?.Count ?? 0) / 8);
        Span<byte> utf8 = stackalloc byte[256];
        for (var id = 0; id < n; id++)
        {
            var text = vocabulary.Tokens[id];
            if (string.IsNullOrEmpty(text))
            {
                text = "[EMPTY_" + id.ToString(CultureInfo.InvariantCulture) + "]";
            }

            _tokens[id] = text;
            _scores[id] = vocabulary.Scores is { } scores && id < scores.Count ? scores[id] : 0f;
            _attributes[id] = vocabulary.TokenTypes is { } types && id < types.Count ? FromType(types[id]) : LlamaTokenAttributes.Normal;
            AddText(text, ref utf8);
        }

        if (_isBytePair)
        {
            LoadMerges(vocabulary.Merges!, ref utf8);
        }
        else
        {
            for (var b = 0; b < 256; b++)
            {
                _byteTokens[b] = FindByteToken((byte)b);
            }
        }

        // Special ids from the file override the defaults when they are in range.
        bos = OverrideId(vocabulary.BosId, bos, n);
        eos = OverrideId(vocabulary.EosId, eos, n);
        int? eot = OverrideId(vocabulary.EotId, null, n);
        int? eom = OverrideId(vocabulary.EomId, null, n);
        unknown = OverrideId(vocabulary.UnknownId, unknown, n);
        padding = OverrideId(vocabulary.PaddingId, padding, n);
        int? fimPad = OverrideId(vocabulary.FimPadId, null, n);
        int? fimRep = OverrideId(vocabulary.FimRepId, null, n);
        int? fimSep = OverrideId(vocabulary.FimSepId, null, n);
        addBos = vocabulary.AddBos ?? addBos;
        addEos = vocabulary.AddEos ?? addEos;

        // Tokens llama.cpp finds by their text; each one found is made a control token.
        eot ??= FindControlByText(s_eotTexts);
        eom ??= FindControlByText(["<|eom_id|>"]);
        FindControlByText(s_fimPreTexts);
        FindControlByText(s_fimSufTexts);
        FindControlByText(s_fimMidTexts);
        fimPad ??= FindControlByText(s_fimPadTexts);
        fimRep ??= FindControlByText(s_fimRepTexts);
        fimSep ??= FindControlByText(s_fimSepTexts);

        _endOfGeneration = new bool[n];
        MarkEndOfGeneration(fimPad);
        MarkEndOfGeneration(fimRep);
        MarkEndOfGeneration(fimSep);
        foreach (var text in s_endOfGenerationTexts)
        {
            var id = FindToken(text);
            if (id >= 0)
            {
                _endOfGeneration[id] = true;
                _attributes[id] = LlamaTokenAttributes.Control;
            }
        }

        MarkEndOfGeneration(eos >= 0 ? eos : null);
        MarkEndOfGeneration(eot);
        MarkEndOfGeneration(eom);

        BosId = bos;
        EosId = eos;
        EotId = eot;
        EomId = eom;
        UnknownId = unknown;
        PaddingId = padding;
        AddBos = addBos;
        AddEos = addEos;

        // Special tokens for partitioning, longest text first (ties by id, so the order is deterministic).
        var specials = new List<int>();
        for (var id = 0; id < n; id++)
        {
            if ((_attributes[id] & (LlamaTokenAttributes.Control | LlamaTokenAttributes.UserDefined | LlamaTokenAttributes.Unknown)) != 0)
            {
                specials.Add(id);
            }
        }

        _specialTokens = [.. specials.OrderByDescending(id => _texts[id].Length).ThenBy(id => id)];
        (_pieces, _pieceStarts) = BuildPieces();
        ApplyModelQuirks(vocabulary.ModelName, PreTokenizer);
    }

    private static ChatModelException Malformed(string? modelName, string message) =>
        new(ChatModelErrorKind.Unavailable, modelName, message);

    private static LlamaTokenAttributes FromType(int type) => (LlamaTokenType)type switch
    {
        LlamaTokenType.Normal => LlamaTokenAttributes.Normal,
        LlamaTokenType.Unknown => LlamaTokenAttributes.Unknown,
        LlamaTokenType.Control => LlamaTokenAttributes.Control,
        LlamaTokenType.UserDefined => LlamaTokenAttributes.UserDefined,
        LlamaTokenType.Unused => LlamaTokenAttributes.Unused,
        LlamaTokenType.Byte => LlamaTokenAttributes.Byte,
        _ => LlamaTokenAttributes.None,
    };

    private static int OverrideId(long? value, int fallback, int n) => value is { } v && v >= 0 && v < n ? (int)v : fallback;

    private static int? OverrideId(long? value, int? fallback, int n) => value is { } v && v >= 0 && v < n ? (int)v : fallback;

    private int AddText(string text, ref Span<byte> utf8)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        if (length > utf8.Length)
        {
            utf8 = new byte[length * 2];
        }

        Encoding.UTF8.GetBytes(text, utf8);
        return _texts.Add(utf8[..length]);
    }

    private int FindToken(string text)
    {
        Span<byte> utf8 = stackalloc byte[256];
        var length = Encoding.UTF8.GetByteCount(text);
        if (length > utf8.Length)
        {
            utf8 = new byte[length];
        }

        Encoding.UTF8.GetBytes(text, utf8);
        var id = _texts.Find(utf8[..length]);
        return (uint)id < (uint)_tokens.Length ? id : -1;
    }

    // The first of the candidate texts that is a token, made a control token (llama.cpp overrides "control-looking"
    // tokens whose type says otherwise).
    private int? FindControlByText(string[] candidates)
    {
        foreach (var text in candidates)
        {
            var id = FindToken(text);
            if (id >= 0)
            {
                _attributes[id] = (_attributes[id] & LlamaTokenAttributes.Control) != 0 ? _attributes[id] : LlamaTokenAttributes.Control;
                return id;
            }
        }

        return null;
    }

    private void MarkEndOfGeneration(int? id)
    {
        if (id is int value)
        {
            _endOfGeneration[value] = true;
        }
    }

    // byte_to_token for SentencePiece: "<0xXX>", else the byte itself as a one-character token.
    private int FindByteToken(byte value)
    {
        Span<byte> hex = [(byte)'<', (byte)'0', (byte)'x', HexDigit(value >> 4), HexDigit(value & 15), (byte)'>'];
        var id = _texts.Find(hex);
        if ((uint)id < (uint)_tokens.Length)
        {
            return id;
        }

        id = _texts.Find(new ReadOnlySpan<byte>(in value));
        return (uint)id < (uint)_tokens.Length ? id : -1;
    }

    private static byte HexDigit(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    private void LoadMerges(IReadOnlyList<string> merges, ref Span<byte> utf8)
    {
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var merge = merges[rank];
            var space = merge.Length > 1 ? merge.IndexOf(' ', 1) : -1;
            if (space < 0)
            {
                continue; // llama.cpp files it under ("", ""), which no pair of characters can match
            }

            var left = TextIdOf(merge[..space], ref utf8);
            var right = TextIdOf(merge[(space + 1)..], ref utf8);
            _mergeRanks.TryAdd(MergeKey(left, right), rank); // the first rank of a repeated merge wins
        }
    }

    private int TextIdOf(string text, ref Span<byte> utf8)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        if (length > utf8.Length)
        {
            utf8 = new byte[length * 2];
        }

        Encoding.UTF8.GetBytes(text, utf8);
        var id = _texts.Find(utf8[..length]);
        return id >= 0 ? id : _texts.Add(utf8[..length]);
    }

    private readonly record struct PreTokenizerRules(bool CleanSpaces, bool IgnoreMerges, bool AddBos, bool NoBos);

    private static (PreTokenizerKind Kind, PreTokenizerRules Rules) ResolvePreTokenizer(string name, string? modelName) => name switch
    {
        "default" => (PreTokenizerKind.Default, new(true, false, false, false)),
        "llama3" or "llama-v3" or "llama-bpe" or "falcon3" => (PreTokenizerKind.Llama3, new(true, true, true, false)),
        "dbrx" or "smaug-bpe" => (PreTokenizerKind.Llama3, new(true, false, false, false)),
        "chatglm-bpe" => (PreTokenizerKind.Llama3, new(true, false, false, true)),
        "gpt-2" or "gpt2" or "phi-2" or "jina-es" or "jina-de" or "gigachat" or "jina-v1-en" or "jina-v2-es" or "jina-v2-de"
            or "jina-v2-code" or "roberta-bpe" or "mpt" or "olmo" or "jais" => (PreTokenizerKind.Gpt2, new(true, false, false, false)),
        "qwen2" => (PreTokenizerKind.Qwen2, new(false, false, false, false)),
        "stablelm2" or "megrez" => (PreTokenizerKind.Qwen2, new(true, false, false, false)),
        _ => throw new ChatModelException(ChatModelErrorKind.Unavailable, modelName,
            $"Pre-tokenizer '{name}' is not supported (supported: default, llama3/llama-bpe, gpt-2 family, qwen2 family)."),
    };

    // Attributes llama.cpp sets by model name after building its caches: they only change special-token matching.
    private void ApplyModelQuirks(string? modelName, string preTokenizer)
    {
        var name = modelName?.ToLowerInvariant() ?? string.Empty;
        if (preTokenizer.Contains("jina-v2-de", StringComparison.Ordinal) || preTokenizer.Contains("jina-v2-es", StringComparison.Ordinal)
            || preTokenizer.Contains("jina-v2-code", StringComparison.Ordinal))
        {
            SetAttribute("<mask>", LlamaTokenAttributes.LeftStrip, true);
        }
        else if (name.Contains("phi-3", StringComparison.Ordinal) || name.Contains("phi3", StringComparison.Ordinal))
        {
            foreach (var id in _specialTokens)
            {
                _attributes[id] |= LlamaTokenAttributes.RightStrip;
            }

            SetAttribute("</s>", LlamaTokenAttributes.RightStrip, true);
            SetAttribute("<unk>", LlamaTokenAttributes.RightStrip, false);
            SetAttribute("<s>", LlamaTokenAttributes.RightStrip, false);
            SetAttribute("<|endoftext|>", LlamaTokenAttributes.RightStrip, false);
        }
    }

    private void SetAttribute(string text, LlamaTokenAttributes attribute, bool value)
    {
        var id = FindToken(text);
        if (id >= 0)
        {
            _attributes[id] = value ? _attributes[id] | attribute : _attributes[id] & ~attribute;
        }
    }
}
