using System.Text;

namespace HybridAI.Llama.Tests;

public sealed class StreamingDetokenizerTests
{
    // Byte tokens are ids 3 + byte in the tiny SentencePiece vocabulary.
    private static int ByteToken(byte b) => 3 + b;

    [Fact]
    public void Append_EmojiSplitOverByteTokens_WaitsForTheWholeCharacter()
    {
        var tokenizer = LlamaTokenizerTests.Spm(("a", 0));
        var stream = new StreamingDetokenizer(tokenizer);
        var emoji = Encoding.UTF8.GetBytes("\U0001F999"); // F0 9F A6 99

        Assert.Equal(string.Empty, stream.Append(ByteToken(emoji[0])));
        Assert.Equal(string.Empty, stream.Append(ByteToken(emoji[1])));
        Assert.Equal(string.Empty, stream.Append(ByteToken(emoji[2])));
        Assert.Equal("\U0001F999", stream.Append(ByteToken(emoji[3])));
        Assert.Equal(string.Empty, stream.Flush());
    }

    [Fact]
    public void Append_TextAfterIncompleteCharacter_EmitsBothTogether()
    {
        var tokenizer = LlamaTokenizerTests.Spm(("a", 0), ("▁a", -1));
        var stream = new StreamingDetokenizer(tokenizer);
        var e = Encoding.UTF8.GetBytes("é"); // C3 A9

        Assert.Equal("a", stream.Append(Id(tokenizer, "a")));
        Assert.Equal(string.Empty, stream.Append(ByteToken(e[0])));
        Assert.Equal("é", stream.Append(ByteToken(e[1])));
        Assert.Equal(" a", stream.Append(Id(tokenizer, "▁a")));
    }

    [Fact]
    public void Append_InvalidByte_BecomesReplacementCharacterAtOnce()
    {
        var tokenizer = LlamaTokenizerTests.Spm(("a", 0));
        var stream = new StreamingDetokenizer(tokenizer);

        // A lone continuation byte can never start a character.
        Assert.Equal("\uFFFD", stream.Append(ByteToken(0x80)));
        // A lead byte followed by a non-continuation byte is invalid as soon as the second byte arrives.
        Assert.Equal(string.Empty, stream.Append(ByteToken(0xE2)));
        Assert.Equal("\uFFFDa", stream.Append(Id(tokenizer, "a")));
    }

    [Fact]
    public void Flush_IncompleteCharacter_BecomesReplacementCharacter()
    {
        var tokenizer = LlamaTokenizerTests.Spm(("a", 0));
        var stream = new StreamingDetokenizer(tokenizer);

        Assert.Equal(string.Empty, stream.Append(ByteToken(0xF0)));
        Assert.Equal(string.Empty, stream.Append(ByteToken(0x9F)));
        Assert.Equal("\uFFFD", stream.Flush());
        Assert.Equal(string.Empty, stream.Flush());
    }

    [Fact]
    public void Reset_DropsWaitingBytes()
    {
        var tokenizer = LlamaTokenizerTests.Spm(("a", 0));
        var stream = new StreamingDetokenizer(tokenizer);

        stream.Append(ByteToken(0xC3));
        stream.Reset();

        Assert.Equal("a", stream.Append(Id(tokenizer, "a")));
        Assert.Equal(string.Empty, stream.Flush());
    }

    [Fact]
    public void Append_ControlTokens_RenderedOnlyWhenAsked()
    {
        var tokenizer = LlamaTokenizerTests.Spm(("a", 0));

        Assert.Equal(string.Empty, new StreamingDetokenizer(tokenizer).Append(2));
        Assert.Equal("</s>", new StreamingDetokenizer(tokenizer, renderSpecial: true).Append(2));
    }

    [Fact]
    public void Append_BytePairMultiByteTokens_SplitsNoCharacter()
    {
        // Byte-level BPE: "€" (E2 82 AC) as three single-byte tokens.
        var tokenizer = LlamaTokenizerTests.Bpe("gpt-2", []);
        var ids = tokenizer.Encode("x€y", addSpecial: false, parseSpecial: false);
        var stream = new StreamingDetokenizer(tokenizer);

        var parts = ids.Select(stream.Append).ToList();

        Assert.Equal(5, ids.Length);
        Assert.Equal(["x", string.Empty, string.Empty, "€", "y"], parts);
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
}
