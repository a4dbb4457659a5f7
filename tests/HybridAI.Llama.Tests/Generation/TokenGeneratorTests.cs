namespace HybridAI.Llama.Tests;

public sealed class TokenGeneratorTests
{
    private static readonly CharTokenizer s_tokenizer = new();

    private static GenerationSettings Greedy(int? maxTokens = null, params string[] stops) =>
        new() { Sampling = SamplingOptions.Greedy, MaxTokens = maxTokens, StopSequences = stops };

    private static (GenerationResult Result, List<GeneratedToken> Steps) Run(
        ScriptedDecoder decoder, int[] prompt, GenerationSettings settings)
    {
        var steps = new List<GeneratedToken>();
        var result = TokenGenerator.Generate(decoder, s_tokenizer, prompt, settings, steps.Add, TestContext.Current.CancellationToken);
        return (result, steps);
    }

    private static string TextOf(List<GeneratedToken> steps) => string.Concat(steps.Select(s => s.Text));

    [Fact]
    public void Generate_EndOfGeneration_StopsWithoutEmittingIt()
    {
        var decoder = ScriptedDecoder.Answering("Hi!");
        var (result, steps) = Run(decoder, s_tokenizer.Encode("Q", true, false), Greedy());

        Assert.Equal("Hi!", TextOf(steps));
        Assert.Equal(GenerationFinishReason.EndOfGeneration, result.FinishReason);
        Assert.Equal(4, result.GeneratedTokens);
        Assert.Equal(2, result.PromptTokens);
        Assert.Equal([CharTokenizer.Id('H'), CharTokenizer.Id('i'), CharTokenizer.Id('!')], steps.Select(s => s.TokenId));

        // The prompt, then each emitted token, is evaluated once; the EOS is not evaluated.
        Assert.Equal(4, decoder.Batches.Count);
        Assert.Equal(5, decoder.Tokens.Length);
    }

    [Fact]
    public void Generate_IgnoreEndOfGeneration_KeepsGoingToLimit()
    {
        var decoder = ScriptedDecoder.Answering("ab");
        var settings = Greedy(maxTokens: 5) with { IgnoreEndOfGeneration = true };
        var (result, steps) = Run(decoder, [CharTokenizer.Bos], settings);

        Assert.Equal(GenerationFinishReason.MaxTokens, result.FinishReason);
        Assert.Equal(5, result.GeneratedTokens);
        Assert.Equal("ab</s></s></s>", TextOf(steps));
    }

    [Fact]
    public void Generate_MaxTokens_StopsAtLimitWithoutEvaluatingLastToken()
    {
        var decoder = ScriptedDecoder.Answering("abcdefgh");
        var (result, steps) = Run(decoder, [CharTokenizer.Bos], Greedy(maxTokens: 3));

        Assert.Equal("abc", TextOf(steps));
        Assert.Equal(GenerationFinishReason.MaxTokens, result.FinishReason);
        Assert.Equal(3, result.GeneratedTokens);
        Assert.Equal(3, decoder.Batches.Count);
    }

    [Fact]
    public void Generate_StopSequenceAcrossTokens_NeverEmitsAnyOfIt()
    {
        var decoder = ScriptedDecoder.Answering("Sure.\nUser: more");
        var (result, steps) = Run(decoder, [CharTokenizer.Bos], Greedy(null, "\nUser:"));

        Assert.Equal("Sure.", TextOf(steps));
        Assert.Equal(GenerationFinishReason.StopSequence, result.FinishReason);
        Assert.DoesNotContain(steps, s => s.Text.Contains('\n', StringComparison.Ordinal));

        // "Sure." then the six tokens of "\nUser:"; nothing after the stop is generated.
        Assert.Equal(11, result.GeneratedTokens);
    }

    [Fact]
    public void Generate_PartialStopAtEnd_IsReleasedAtEnd()
    {
        var decoder = ScriptedDecoder.Answering("x<");
        var (result, steps) = Run(decoder, [CharTokenizer.Bos], Greedy(null, "<end>"));

        Assert.Equal("x<", TextOf(steps));
        Assert.Equal(GenerationFinishReason.EndOfGeneration, result.FinishReason);
        Assert.Equal(-1, steps[^1].TokenId);
        Assert.Equal("<", steps[^1].Text);
    }

    [Fact]
    public void Generate_SurrogatePairAcrossTokens_EmittedWhole()
    {
        var decoder = ScriptedDecoder.Answering("a\U0001F600b");
        var (_, steps) = Run(decoder, [CharTokenizer.Bos], Greedy());

        Assert.Equal("a\U0001F600b", TextOf(steps));
        Assert.Contains(steps, s => s.Text == "\U0001F600");
        Assert.Contains(steps, s => s.Text.Length == 0);
    }

    [Fact]
    public void Generate_ContextFull_StopsWithContextFull()
    {
        var decoder = ScriptedDecoder.Answering("abcdefghijklmnop", contextSize: 6);
        var (result, steps) = Run(decoder, [CharTokenizer.Bos, CharTokenizer.Id('Q')], Greedy());

        Assert.Equal(GenerationFinishReason.ContextFull, result.FinishReason);
        Assert.Equal(6, decoder.Tokens.Length);
        Assert.Equal("abcde", TextOf(steps));
    }

    [Fact]
    public void Generate_PromptLongerThanContext_Throws()
    {
        var decoder = ScriptedDecoder.Answering("a", contextSize: 2);
        Assert.Throws<ArgumentException>(() => Run(decoder, [1, 20, 21], Greedy()));
    }

    [Fact]
    public void Generate_CancelledBetweenTokens_ThrowsAndStops()
    {
        using var cts = new CancellationTokenSource();
        var decoder = ScriptedDecoder.Answering("abcdefgh");
        var steps = new List<GeneratedToken>();

        Assert.ThrowsAny<OperationCanceledException>(() => TokenGenerator.Generate(decoder, s_tokenizer, [CharTokenizer.Bos], Greedy(),
            step =>
            {
                steps.Add(step);
                if (steps.Count == 3)
                {
                    cts.Cancel();
                }
            },
            cts.Token));

        Assert.Equal("abc", TextOf(steps));

        // Only the tokens fully evaluated are in the cache: the prompt and the first two answer tokens.
        Assert.Equal(3, decoder.Tokens.Length);
    }

    [Fact]
    public void Generate_PromptSharesCachedPrefix_EvaluatesOnlyTheRest()
    {
        var decoder = new ScriptedDecoder(_ => CharTokenizer.Eos);
        int[] first = [1, 20, 21, 22];
        Run(decoder, first, Greedy());
        int[] second = [1, 20, 21, 22, 30, 31];

        var (result, _) = Run(decoder, second, Greedy());

        Assert.Equal(4, result.ReusedPromptTokens);
        Assert.Equal([30, 31], decoder.Batches[^1]);
        Assert.Equal(second, decoder.Tokens.ToArray());
    }

    [Fact]
    public void Generate_DivergingPrompt_TruncatesToCommonPrefix()
    {
        var decoder = new ScriptedDecoder(_ => CharTokenizer.Eos);
        Run(decoder, [1, 20, 21, 22, 23], Greedy());

        var (result, _) = Run(decoder, [1, 20, 40, 41], Greedy());

        Assert.Equal(2, result.ReusedPromptTokens);
        Assert.Equal(2, decoder.Truncations[^1]);
        Assert.Equal([40, 41], decoder.Batches[^1]);
    }

    [Fact]
    public void Generate_SamePromptAgain_ReevaluatesLastTokenForLogits()
    {
        var decoder = new ScriptedDecoder(_ => CharTokenizer.Eos);
        int[] prompt = [1, 20, 21];
        Run(decoder, prompt, Greedy());

        var (result, _) = Run(decoder, prompt, Greedy());

        Assert.Equal(2, result.ReusedPromptTokens);
        Assert.Equal([21], decoder.Batches[^1]);
    }
}
