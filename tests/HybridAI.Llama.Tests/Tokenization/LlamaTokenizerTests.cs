using System.Globalization;

namespace HybridAI.Llama.Tests;

/// <summary>The tokenizer rules on tiny in-memory vocabularies.</summary>
public sealed class LlamaTokenizerTests
{
    private const int Bos = 1;
    private const int Eos = 2;

    [Fact]
    public void Encode_SentencePiece_MergesHighestScoreFirst()
    {
        var tokenizer = Spm(("a", 0), ("b", 0), ("c", 0), ("ab", -1), ("bc", -0.5f));

        var ids = tokenizer.Encode("abc", addSpecial: false, parseSpecial: false);

        Assert.Equal(["▁", "a", "bc"], Texts(tokenizer, ids));
    }

    [Fact]
    public void Encode_SentencePieceEqualScores_MergesLeftmostFirst()
    {
        var tokenizer = Spm(("a", 0), ("b", 0), ("c", 0), ("ab", -1), ("bc", -1));

        var ids = tokenizer.Encode("abc", addSpecial: false, parseSpecial: false);

        Assert.Equal(["▁", "ab", "c"], Texts(tokenizer, ids));
    }

    [Fact]
    public void Encode_SentencePiece_MergesRepeatedlyIntoLongerTokens()
    {
        var tokenizer = Spm(("a", 0), ("b", 0), ("c", 0), ("ab", -1), ("▁ab", -2), ("▁abc", -3));

        var ids = tokenizer.Encode("abc abc", addSpecial: false, parseSpecial: false);

        Assert.Equal(["▁abc", "▁abc"], Texts(tokenizer, ids));
        Assert.Equal("abc abc", tokenizer.Decode(ids));
    }

    [Fact]
    public void Encode_SentencePieceUnknownCharacter_FallsBackToByteTokens()
    {
        var tokenizer = Spm(("a", 0));

        var ids = tokenizer.Encode("aé", addSpecial: false, parseSpecial: false);

        Assert.Equal(["▁", "a", "<0xC3>", "<0xA9>"], Texts(tokenizer, ids));
        Assert.Equal("aé", tokenizer.Decode(ids));
    }

    [Fact]
    public void Encode_SentencePieceWithoutSpacePrefix_DoesNotAddSpace()
    {
        var tokenizer = Spm(new LlamaVocabularyOverrides { AddSpacePrefix = false }, ("a", 0), ("b", 0), ("ab", -1));

        Assert.Equal(["ab"], Texts(tokenizer, tokenizer.Encode("ab", false, false)));
        Assert.Equal(["ab", "▁", "ab"], Texts(tokenizer, tokenizer.Encode("ab ab", false, false)));
    }

    [Fact]
    public void Encode_AddSpecial_AddsBosByDefaultAndEosWhenAsked()
    {
        var plain = Spm(("a", 0));
        var withEos = Spm(new LlamaVocabularyOverrides { AddEos = true }, ("a", 0));
        var withoutBos = Spm(new LlamaVocabularyOverrides { AddBos = false }, ("a", 0));

        Assert.True(plain.AddBos);
        Assert.False(plain.AddEos);
        Assert.Equal(Bos, plain.Encode("a", addSpecial: true, parseSpecial: false)[0]);
        Assert.Equal([Bos], plain.Encode(string.Empty, addSpecial: true, parseSpecial: false));
        Assert.Empty(plain.Encode(string.Empty, addSpecial: false, parseSpecial: false));
        Assert.NotEqual(Bos, plain.Encode("a", addSpecial: false, parseSpecial: false)[0]);
        var ids = withEos.Encode("a", addSpecial: true, parseSpecial: false);
        Assert.Equal(Bos, ids[0]);
        Assert.Equal(Eos, ids[^1]);
        Assert.NotEqual(Bos, withoutBos.Encode("a", addSpecial: true, parseSpecial: false)[0]);
    }

    [Fact]
    public void Encode_ParseSpecial_TurnsControlTextIntoToken()
    {
        var tokenizer = Spm(("a", 0, LlamaTokenType.Normal), ("b", 0, LlamaTokenType.Normal), ("ab", -1, LlamaTokenType.Normal), ("▁ab", -2, LlamaTokenType.Normal), ("<|user|>", 0, LlamaTokenType.Control));
        var user = Id(tokenizer, "<|user|>");

        var parsed = tokenizer.Encode("<|user|>ab", addSpecial: false, parseSpecial: true);
        var literal = tokenizer.Encode("<|user|>ab", addSpecial: false, parseSpecial: false);

        // After a special token SentencePiece text gets the space prefix again.
        Assert.Equal(["<|user|>", "▁ab"], Texts(tokenizer, parsed));
        Assert.DoesNotContain(user, literal);
        Assert.Equal("<|user|>ab", tokenizer.Decode(literal));
    }

    [Fact]
    public void Encode_ParseSpecial_SplitsEveryOccurrence()
    {
        var tokenizer = Spm(("a", 0, LlamaTokenType.Normal), ("<x>", 0, LlamaTokenType.Control), ("<xy>", 0, LlamaTokenType.Control));

        var ids = tokenizer.Encode("a<xy>a<x><x>", addSpecial: false, parseSpecial: true);

        // The longer special token is cut out first.
        Assert.Equal(["▁", "a", "<xy>", "▁", "a", "<x>", "<x>"], Texts(tokenizer, ids));
    }

    [Fact]
    public void Encode_UserDefinedToken_IsMatchedEvenWithoutParseSpecial()
    {
        var tokenizer = Spm(("a", 0, LlamaTokenType.Normal), ("<tag>", 0, LlamaTokenType.UserDefined));

        var ids = tokenizer.Encode("a<tag>a", addSpecial: false, parseSpecial: false);

        Assert.Equal(["▁", "a", "<tag>", "▁", "a"], Texts(tokenizer, ids));
        Assert.Equal("a<tag> a", tokenizer.Decode(ids));
    }

    [Fact]
    public void IsEndOfGeneration_KnownEndTexts_AreEndOfGenerationAndControl()
    {
        var tokenizer = Spm(("a", 0), ("<|eot_id|>", 0), ("<|im_end|>", 0), ("<|eom_id|>", 0), ("<end_of_turn>", 0));

        var eot = Id(tokenizer, "<|eot_id|>");
        Assert.Equal(eot, tokenizer.EotId);
        Assert.Equal(Id(tokenizer, "<|eom_id|>"), tokenizer.EomId);
        foreach (var text in new[] { "<|eot_id|>", "<|im_end|>", "<|eom_id|>", "<end_of_turn>" })
        {
            Assert.True(tokenizer.IsEndOfGeneration(Id(tokenizer, text)), text);
            Assert.True(tokenizer.IsControl(Id(tokenizer, text)), text);
        }

        Assert.True(tokenizer.IsEndOfGeneration(Eos));
        Assert.False(tokenizer.IsEndOfGeneration(Bos));
        Assert.False(tokenizer.IsEndOfGeneration(Id(tokenizer, "a")));
        Assert.False(tokenizer.IsEndOfGeneration(-1));
    }

    [Fact]
    public void Decode_RenderSpecial_WritesControlTokensOnlyWhenAsked()
    {
        var tokenizer = Spm(("a", 0), ("▁a", -1));
        var ids = new[] { Bos, Id(tokenizer, "▁a"), Eos };

        // A leading BOS takes the space-removal turn, as in llama_detokenize, so the text keeps its space.
        Assert.Equal(" a", tokenizer.Decode(ids));
        Assert.Equal("<s> a</s>", tokenizer.Decode(ids, renderSpecial: true));
        Assert.Equal("a", tokenizer.Decode(ids.AsSpan(1, 1)));
    }

    [Fact]
    public void GetPieceBytes_SmallDestination_ReturnsMinusNeededLength()
    {
        var tokenizer = Spm(("abc", 0));
        var id = Id(tokenizer, "abc");

        Assert.Equal(-3, tokenizer.GetPieceBytes(id, new byte[2]));
        var buffer = new byte[3];
        Assert.Equal(3, tokenizer.GetPieceBytes(id, buffer));
        Assert.Equal("abc"u8.ToArray(), buffer);
        Assert.Equal(0, tokenizer.GetPieceBytes(Bos, buffer));
        Assert.Equal(3, tokenizer.GetPieceBytes(Bos, buffer, renderSpecial: true));
        Assert.Equal(1, tokenizer.GetPieceBytes(3 + 0x41, buffer));
        Assert.Equal((byte)'A', buffer[0]);
    }

    [Fact]
    public void Encode_ListOverload_AppendsToExistingItems()
    {
        var tokenizer = Spm(("a", 0), ("▁a", -1));
        var output = new List<int> { 42 };

        tokenizer.Encode("a".AsSpan(), output, addSpecial: true, parseSpecial: false);
        tokenizer.Encode("a".AsSpan(), output, addSpecial: false, parseSpecial: false);

        Assert.Equal([42, Bos, Id(tokenizer, "▁a"), Id(tokenizer, "▁a")], output);
    }

    [Fact]
    public void Encode_BytePair_MergesLowestRankFirst()
    {
        var tokenizer = Bpe("gpt-2", ["l l", "h e", "he ll", "hell o", "Ġ w", "Ġw o"]);

        var ids = tokenizer.Encode("hello wo", addSpecial: false, parseSpecial: false);

        Assert.Equal(["hello", "Ġwo"], Texts(tokenizer, ids));
        Assert.Equal("hello wo", tokenizer.Decode(ids));
    }

    [Fact]
    public void Encode_BytePairRankOrder_DecidesBetweenOverlappingPairs()
    {
        var first = Bpe("gpt-2", ["a b", "b c"]);
        var second = Bpe("gpt-2", ["b c", "a b"]);

        Assert.Equal(["ab", "c"], Texts(first, first.Encode("abc", false, false)));
        Assert.Equal(["a", "bc"], Texts(second, second.Encode("abc", false, false)));
    }

    [Fact]
    public void Encode_BytePairNonAscii_UsesByteLevelAlphabet()
    {
        var tokenizer = Bpe("gpt-2", ["Ã ©"]);

        var ids = tokenizer.Encode("é€", addSpecial: false, parseSpecial: false);

        // é is C3 A9 -> "Ã©"; € is E2 82 AC -> "â", "Ĥ", "¬" (0x82 maps to U+0124).
        Assert.Equal(["Ã©", "â", "Ĥ", "¬"], Texts(tokenizer, ids));
        Assert.Equal("é€", tokenizer.Decode(ids));
    }

    [Fact]
    public void Encode_Llama3IgnoreMerges_TakesWholeWordTokens()
    {
        // "xyz" is a token but no merge builds it: llama3 takes it whole, gpt-2 does not.
        var llama3 = Bpe("llama-bpe", ["x y"], extraTokens: ["xyz"]);
        var gpt2 = Bpe("gpt-2", ["x y"], extraTokens: ["xyz"]);

        Assert.Equal(["xyz"], Texts(llama3, llama3.Encode("xyz", false, false)));
        Assert.Equal(["xy", "z"], Texts(gpt2, gpt2.Encode("xyz", false, false)));
        Assert.True(llama3.AddBos);
        Assert.False(gpt2.AddBos);
    }

    [Fact]
    public void Decode_BytePair_CleansSpacesBeforePunctuationLikeLlamaCpp()
    {
        var gpt2 = Bpe("gpt-2", []);
        var qwen2 = Bpe("qwen2", []);
        const string text = "Hi , you 're ' ok ' ?";

        Assert.Equal("Hi, you're'ok '?", gpt2.Decode(gpt2.Encode(text, false, false)));
        Assert.Equal(text, qwen2.Decode(qwen2.Encode(text, false, false)));
    }

    [Fact]
    public void Constructor_UnknownPreTokenizer_ThrowsChatModelException()
    {
        var exception = Assert.Throws<ChatModelException>(() => Bpe("no-such-pre", []));

        Assert.Equal(ChatModelErrorKind.Unavailable, exception.Kind);
        Assert.Contains("no-such-pre", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnknownModel_ThrowsChatModelException()
    {
        var vocabulary = new LlamaVocabulary { Model = "bert", Tokens = ["a"] };

        Assert.Throws<ChatModelException>(() => new LlamaTokenizer(vocabulary));
    }

    [Fact]
    public void Encode_FromManyThreads_GivesSameIds()
    {
        var tokenizer = Spm(("a", 0), ("b", 0), ("ab", -1), ("▁ab", -2));
        var expected = tokenizer.Encode("ab ab ab", false, false);

        Parallel.For(0, 64, _ => Assert.Equal(expected, tokenizer.Encode("ab ab ab", false, false)));
    }

    internal sealed class LlamaVocabularyOverrides
    {
        public bool? AddBos { get; init; }

        public bool? AddEos { get; init; }

        public bool? AddSpacePrefix { get; init; }
    }

    internal static LlamaTokenizer Spm(params (string Text, float Score)[] pieces) => Spm(new LlamaVocabularyOverrides(), pieces);

    internal static LlamaTokenizer Spm(LlamaVocabularyOverrides overrides, params (string Text, float Score)[] pieces) =>
        Spm(overrides, pieces.Select(p => (p.Text, p.Score, LlamaTokenType.Normal)).ToArray());

    internal static LlamaTokenizer Spm(params (string Text, float Score, LlamaTokenType Type)[] pieces) =>
        Spm(new LlamaVocabularyOverrides(), pieces);

    // <unk>, <s>, </s>, the 256 byte tokens, "▁", then the given pieces.
    internal static LlamaTokenizer Spm(LlamaVocabularyOverrides overrides, params (string Text, float Score, LlamaTokenType Type)[] pieces)
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { (int)LlamaTokenType.Unknown, (int)LlamaTokenType.Control, (int)LlamaTokenType.Control };
        var scores = new List<float> { 0, 0, 0 };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add("<0x" + b.ToString("X2", CultureInfo.InvariantCulture) + ">");
            types.Add((int)LlamaTokenType.Byte);
            scores.Add(0);
        }

        tokens.Add("▁");
        types.Add((int)LlamaTokenType.Normal);
        scores.Add(-100);
        foreach (var (text, score, type) in pieces)
        {
            tokens.Add(text);
            types.Add((int)type);
            scores.Add(score);
        }

        return new LlamaTokenizer(new LlamaVocabulary
        {
            Model = "llama",
            Tokens = tokens,
            Scores = scores,
            TokenTypes = types,
            AddBos = overrides.AddBos,
            AddEos = overrides.AddEos,
            AddSpacePrefix = overrides.AddSpacePrefix,
        });
    }

    // The 256 byte-level characters, then the result of every merge, then extraTokens.
    internal static LlamaTokenizer Bpe(string pre, string[] merges, string[]? extraTokens = null)
    {
        var tokens = new List<string>();
        for (var b = 0; b < 256; b++)
        {
            tokens.Add(char.ConvertFromUtf32(ByteLevelAlphabet.CodepointOf((byte)b)));
        }

        foreach (var merge in merges)
        {
            var merged = merge.Replace(" ", string.Empty, StringComparison.Ordinal);
            if (!tokens.Contains(merged))
            {
                tokens.Add(merged);
            }
        }

        tokens.AddRange(extraTokens ?? []);
        tokens.Add("<|endoftext|>");
        var types = tokens.Select(t => t == "<|endoftext|>" ? (int)LlamaTokenType.Control : (int)LlamaTokenType.Normal).ToList();
        return new LlamaTokenizer(new LlamaVocabulary
        {
            Model = "gpt2",
            PreTokenizer = pre,
            Tokens = tokens,
            TokenTypes = types,
            Merges = merges,
            BosId = tokens.Count - 1,
            EosId = tokens.Count - 1,
        });
    }

    private static int Id(LlamaTokenizer tokenizer, string text)
    {
        for (var id = 0; id < tokenizer.VocabularySize; id++)
        {
            if (tokenizer.GetTokenText(id) == text)
            {
                return id;
            }
        }

        throw new InvalidOperationException($"No token '{text}'.");
    }

    private static string[] Texts(LlamaTokenizer tokenizer, int[] ids) => ids.Select(tokenizer.GetTokenText).ToArray();
}
