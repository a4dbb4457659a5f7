using System.Text.Json;
using HybridAI.Testing;
using Microsoft.Extensions.AI;

namespace HybridAI.Llama.Tests;

/// <summary>Generation and <see cref="LlamaChatModel"/> over the real engine and the shared fixture models.</summary>
public sealed class LlamaChatModelEngineTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void Generate_GreedyOverEngine_MatchesLlamaCppIdsAndText()
    {
        const string Model = "aidreams260K-f32";
        using var reference = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf($"reference/{Model}-greedy.json")));
        using var backend = new LlamaModelBackend(LlamaModel.Load(Fixtures.PathOf($"models/{Model}.gguf")), threads: 2);
        var decoder = backend.CreateDecoder(128, KvCacheType.F32);
        try
        {
            foreach (var run in reference.RootElement.GetProperty("results_kv_f32").EnumerateArray())
            {
                var prompt = backend.Tokenizer.Encode(run.GetProperty("prompt").GetString()!, addSpecial: true, parseSpecial: true);
                var steps = new List<GeneratedToken>();
                var settings = new GenerationSettings
                {
                    Sampling = SamplingOptions.Greedy,
                    MaxTokens = run.GetProperty("n_predict").GetInt32(),
                    IgnoreEndOfGeneration = true,
                };

                TokenGenerator.Generate(decoder, backend.Tokenizer, prompt, settings, steps.Add, Token);

                Assert.Equal(
                    run.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()),
                    steps.Where(s => s.TokenId >= 0).Select(s => s.TokenId));
                Assert.Equal(run.GetProperty("generated_text").GetString(), string.Concat(steps.Select(s => s.Text)));
            }
        }
        finally
        {
            (decoder as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task GetResponseAsync_RealModel_AnswersAndReusesPrefixOnNextTurn()
    {
        using var model = new LlamaChatModel(new LlamaChatModelOptions
        {
            ModelPath = Fixtures.PathOf("models/aidreams260K-f32.gguf"),
            ContextSize = 128,
            Threads = 2,
            Sampling = SamplingOptions.Greedy,
            MaxOutputTokens = 12,
        });

        List<ChatMessage> conversation = [new(ChatRole.User, "Once upon a time")];
        var first = await model.GetResponseAsync(conversation, cancellationToken: Token);
        conversation.AddRange(first.Messages);
        conversation.Add(new ChatMessage(ChatRole.User, "Go on"));
        var second = await model.GetResponseAsync(conversation, cancellationToken: Token);

        Assert.Equal("chatml", model.ChatTemplateName);
        Assert.Equal("aidreams260K-f32", model.Descriptor.Name);
        Assert.False(string.IsNullOrEmpty(first.Text));
        Assert.Equal(first.Usage!.InputTokenCount + first.Usage.OutputTokenCount, first.Usage.TotalTokenCount);
        Assert.True(first.Usage.OutputTokenCount <= 12);
        Assert.True(second.Usage!.CachedInputTokenCount > first.Usage.InputTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_SameSeed_SameAnswer()
    {
        using var model = new LlamaChatModel(new LlamaChatModelOptions
        {
            ModelPath = Fixtures.PathOf("models/aidreams260K-f32.gguf"), ContextSize = 128, Threads = 2, MaxOutputTokens = 16,
        });
        var options = new ChatOptions { Seed = 42, Temperature = 1.0f };

        var a = await model.GetResponseAsync([new ChatMessage(ChatRole.User, "The machine")], options, Token);
        var b = await model.GetResponseAsync([new ChatMessage(ChatRole.User, "The machine")], options, Token);

        Assert.Equal(a.Text, b.Text);
    }

    [Fact]
    public void Constructor_MissingFile_Unavailable()
    {
        var ex = Assert.Throws<ChatModelException>(() => new LlamaChatModel(
            new LlamaChatModelOptions { ModelPath = Path.Combine(Path.GetTempPath(), "no-such-model.gguf") }));

        Assert.Equal(ChatModelErrorKind.Unavailable, ex.Kind);
        Assert.Equal("no-such-model", ex.ModelName);
    }
}
