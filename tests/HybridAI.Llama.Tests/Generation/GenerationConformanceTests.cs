using System.Text.Json;
using HybridAI.Testing;

namespace HybridAI.Llama.Tests;

/// <summary>
/// The generation loop over the real tokenizer against llama.cpp's reference runs: a decoder that replays llama.cpp's
/// greedy token ids must give back llama.cpp's generated text, token for token through the streaming detokenizer.
/// </summary>
public sealed class GenerationConformanceTests
{
    [Theory]
    [InlineData("aidreams260K-f32")]
    [InlineData("stories260K-plctlab-f32")]
    [InlineData("random-small-q4_k_m")]
    public void Generate_ReplayingLlamaCppIds_ReproducesItsText(string model)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf($"reference/{model}-greedy.json")));
        var tokenizer = new LlamaPromptTokenizer(LlamaTokenizerConformanceTests.Load($"models/{model}.gguf"));

        foreach (var run in json.RootElement.GetProperty("results").EnumerateArray())
        {
            var prompt = tokenizer.Encode(run.GetProperty("prompt").GetString()!, addSpecial: true, parseSpecial: true);
            Assert.Equal(run.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()), prompt);

            var expectedIds = run.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var decoder = new ScriptedDecoder(
                tokens => expectedIds[Math.Min(tokens.Count - prompt.Length, expectedIds.Length - 1)], contextSize: 256, vocabularySize: 512);
            var steps = new List<GeneratedToken>();

            // llama.cpp's reference runs do not stop at end-of-generation tokens.
            var settings = new GenerationSettings
            {
                Sampling = SamplingOptions.Greedy,
                MaxTokens = run.GetProperty("n_predict").GetInt32(),
                IgnoreEndOfGeneration = true,
            };
            var result = TokenGenerator.Generate(decoder, tokenizer, prompt, settings, steps.Add, TestContext.Current.CancellationToken);

            Assert.Equal(expectedIds, steps.Where(s => s.TokenId >= 0).Select(s => s.TokenId));
            Assert.Equal(run.GetProperty("generated_text").GetString(), string.Concat(steps.Select(s => s.Text)));
            Assert.Equal(GenerationFinishReason.MaxTokens, result.FinishReason);
        }
    }

    [Fact]
    public void Encode_RenderedPhi3Prompt_ParsesTemplateMarkersAsSpecialTokens()
    {
        var llamaTokenizer = LlamaTokenizerConformanceTests.Load("vocab/ggml-vocab-phi-3.gguf");
        var tokenizer = new LlamaPromptTokenizer(llamaTokenizer);
        var prompt = ChatTemplate.FromName("phi3").Render([new ChatTurn("user", "Hello")]);

        var texts = tokenizer.Encode(prompt, addSpecial: true, parseSpecial: true).Select(llamaTokenizer.GetTokenText).ToArray();

        // Phi-3's special tokens strip the whitespace to their right (llama.cpp sets RSTRIP on them), so the newlines go.
        Assert.Equal(["<s>", "<|user|>", "\u2581Hello", "<|end|>", "<|assistant|>"], texts);
    }
}
