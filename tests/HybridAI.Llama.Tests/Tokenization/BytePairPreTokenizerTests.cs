using System.Text;

namespace HybridAI.Llama.Tests;

/// <summary>
/// Word splits checked against splits derived by hand from the regexes (inputs taken from llama.cpp's llama-bpe and
/// qwen2 test vectors, whose vocabularies are not in the fixtures).
/// </summary>
public sealed class BytePairPreTokenizerTests
{
    [Theory]
    [InlineData("ied 4 ½ months", new[] { "ied", " ", "4", " ", "½", " months" })]
    [InlineData("Hello, world!", new[] { "Hello", ",", " world", "!" })]
    [InlineData(" Hello World!", new[] { " Hello", " World", "!" })]
    [InlineData("   Hello", new[] { "  ", " Hello" })]
    [InlineData("    Hello\n    Hello", new[] { "   ", " Hello", "\n", "   ", " Hello" })]
    [InlineData("\n\n\n", new[] { "\n\n\n" })]
    [InlineData("\t\n", new[] { "\t\n" })]
    [InlineData("\n =", new[] { "\n", " =" })]
    [InlineData("' era", new[] { "'", " era" })]
    [InlineData("3333333", new[] { "333", "333", "3" })]
    [InlineData("w048 7tuijk dsdfhu", new[] { "w", "048", " ", "7", "tuijk", " dsdfhu" })]
    [InlineData("Hello, y'all! How are you 😁 ?我想在apple工作1314151天～",
        new[] { "Hello", ",", " y", "'all", "!", " How", " are", " you", " 😁", " ?", "我想在apple工作", "131", "415", "1", "天", "～" })]
    [InlineData("I've 'RE we'Ve a'lL", new[] { "I", "'ve", " '", "RE", " we", "'Ve", " a", "'lL" })]
    [InlineData("🚀 (normal) 😶‍🌫️ x", new[] { "🚀", " (", "normal", ")", " 😶‍🌫️", " x" })]
    [InlineData("a \n\n b  ", new[] { "a", " \n\n", " b", "  " })]
    [InlineData("x ", new[] { "x", " " })]
    public void Split_Llama3_MatchesRegex(string text, string[] expected)
    {
        Assert.Equal(expected, Split(PreTokenizerKind.Llama3, text));
    }

    [Theory]
    [InlineData("3333333", new[] { "3", "3", "3", "3", "3", "3", "3" })]
    [InlineData("apple工作1314天", new[] { "apple工作", "1", "3", "1", "4", "天" })]
    [InlineData(" Hello World!", new[] { " Hello", " World", "!" })]
    public void Split_Qwen2_SplitsDigitsSingly(string text, string[] expected)
    {
        Assert.Equal(expected, Split(PreTokenizerKind.Qwen2, text));
    }

    [Theory]
    [InlineData("Hello, world!", new[] { "Hello", ",", " world", "!" })]
    [InlineData("I'll   go", new[] { "I", "'ll", "  ", " go" })]
    [InlineData("I'LL", new[] { "I", "'", "LL" })]
    [InlineData("w048 7tuijk", new[] { "w", "048", " 7", "tuijk" })]
    [InlineData("\n =", new[] { "\n", " =" })]
    [InlineData("x  ", new[] { "x", "  " })]
    [InlineData("a\tb", new[] { "a", "\t", "b" })]
    public void Split_Gpt2_MatchesRegex(string text, string[] expected)
    {
        Assert.Equal(expected, Split(PreTokenizerKind.Gpt2, text));
    }

    [Theory]
    // Punctuation runs first, then the GPT-2 regex inside each piece, then digit runs, then digit triples.
    [InlineData("Hello, world!", new[] { "Hello", ",", " world", "!" })]
    [InlineData("12345 abc", new[] { "123", "45", " abc" })]
    [InlineData("a`b", new[] { "a", "`", "b" })]
    [InlineData("x+=y", new[] { "x", "+=", "y" })]
    public void Split_Default_AppliesPassesInOrder(string text, string[] expected)
    {
        Assert.Equal(expected, Split(PreTokenizerKind.Default, text));
    }

    [Fact]
    public void Split_EmptyText_GivesNoWords()
    {
        Assert.Empty(Split(PreTokenizerKind.Llama3, string.Empty));
    }

    private static List<string> Split(PreTokenizerKind kind, string text)
    {
        var codepoints = text.EnumerateRunes().Select(r => r.Value).ToArray();
        var words = new List<int>();
        BytePairPreTokenizer.Split(kind, codepoints, words, []);

        var result = new List<string>();
        var start = 0;
        foreach (var length in words)
        {
            var builder = new StringBuilder();
            foreach (var cp in codepoints.AsSpan(start, length))
            {
                builder.Append(char.ConvertFromUtf32(cp));
            }

            result.Add(builder.ToString());
            start += length;
        }

        Assert.Equal(codepoints.Length, start);
        return result;
    }
}
