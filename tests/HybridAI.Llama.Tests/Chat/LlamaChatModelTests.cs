using Microsoft.Extensions.AI;

namespace HybridAI.Llama.Tests;

public sealed class LlamaChatModelTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static LlamaChatModel Create(FakeBackend backend, Action<LlamaChatModelOptions>? configure = null)
    {
        var options = new LlamaChatModelOptions
        {
            ModelPath = "/models/tiny-chat.gguf",
            ContextSize = 512,
            Sampling = SamplingOptions.Greedy,
        };
        configure?.Invoke(options);
        return new LlamaChatModel(options, backend);
    }

    private static int[] PromptTokens(params ChatTurn[] turns) =>
        new CharTokenizer().Encode(ChatTemplate.FromName("chatml").Render(turns), addSpecial: true, parseSpecial: true);

    [Fact]
    public void Descriptor_IsInHouseStreamingLlama()
    {
        using var model = Create(new FakeBackend());

        Assert.Equal("tiny-chat", model.Descriptor.Name);
        Assert.Equal("llama", model.Descriptor.Provider);
        Assert.Equal(ModelLocality.InHouse, model.Descriptor.Locality);
        Assert.Equal(ModelCapabilities.Streaming, model.Descriptor.Capabilities);
        Assert.Equal(512, model.Descriptor.ContextWindow);
        Assert.Same(model.Descriptor, model.GetService<ModelDescriptor>());
        Assert.Equal("llama", model.GetService<ChatClientMetadata>()!.ProviderName);
        Assert.Same(model, model.GetService<IChatModel>());
    }

    [Fact]
    public void Constructor_ConfiguredDescriptor_KeepsNameButStatesWhatTheEngineIs()
    {
        using var model = new LlamaChatModel(
            new LlamaChatModelOptions { ModelPath = "m.gguf", ContextSize = 256 },
            new FakeBackend(),
            new ModelDescriptor("support-llama", "llama") { Locality = ModelLocality.Partner, Capabilities = ModelCapabilities.Tools });

        Assert.Equal("support-llama", model.Descriptor.Name);
        Assert.Equal(ModelLocality.InHouse, model.Descriptor.Locality);
        Assert.Equal(ModelCapabilities.Streaming, model.Descriptor.Capabilities);
    }

    [Fact]
    public async Task GetResponseAsync_ReturnsTextUsageAndStop()
    {
        var backend = new FakeBackend();
        using var model = Create(backend);

        var response = await model.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], cancellationToken: Token);

        Assert.Equal("echo:Hi", response.Text);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        var promptLength = PromptTokens(new ChatTurn("user", "Hi")).Length;
        Assert.Equal(promptLength, response.Usage!.InputTokenCount);
        Assert.Equal(8, response.Usage.OutputTokenCount);
        Assert.Equal(promptLength + 8, response.Usage.TotalTokenCount);
        Assert.Equal(0, response.Usage.CachedInputTokenCount);
        Assert.Equal("tiny-chat", response.ModelId);
        Assert.NotNull(response.ResponseId);
        Assert.Equal(KvCacheType.F16, backend.LastKvCacheType);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamsPiecesThenFinishAndUsage()
    {
        using var model = Create(new FakeBackend());
        var updates = new List<ChatResponseUpdate>();

        await foreach (var update in model.GetStreamingResponseAsync(
            [new ChatMessage(ChatRole.System, "Be terse."), new ChatMessage(ChatRole.User, "Ping")], cancellationToken: Token))
        {
            updates.Add(update);
        }

        Assert.Equal("echo:Ping", string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count(u => u.Text.Length > 0) > 1);
        Assert.All(updates, u => Assert.Equal(updates[0].ResponseId, u.ResponseId));
        var last = updates[^1];
        Assert.Equal(ChatFinishReason.Stop, last.FinishReason);
        Assert.Equal(10, Assert.IsType<UsageContent>(Assert.Single(last.Contents)).Details.OutputTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_MaxOutputTokens_StopsWithLength()
    {
        using var model = Create(new FakeBackend());

        var response = await model.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { MaxOutputTokens = 3 }, Token);

        Assert.Equal("ech", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(3, response.Usage!.OutputTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_DefaultMaxOutputTokensFromOptions()
    {
        using var model = Create(new FakeBackend(), o => o.MaxOutputTokens = 2);

        var response = await model.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], cancellationToken: Token);

        Assert.Equal("ec", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_StopSequence_EndsBeforeIt()
    {
        using var model = Create(new FakeBackend());

        var response = await model.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "a-b")], new ChatOptions { StopSequences = [":a-"] }, Token);

        Assert.Equal("echo", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_ContextFull_StopsWithLength()
    {
        var prompt = PromptTokens(new ChatTurn("user", "Hello there"));
        using var model = Create(new FakeBackend(), o => o.ContextSize = prompt.Length + 4);

        var response = await model.GetResponseAsync([new ChatMessage(ChatRole.User, "Hello there")], cancellationToken: Token);

        Assert.Equal("echo:", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_PromptTooLong_ContextTooLong()
    {
        using var model = Create(new FakeBackend(), o => o.ContextSize = 16);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() =>
            model.GetResponseAsync([new ChatMessage(ChatRole.User, "This prompt does not fit at all")], cancellationToken: Token));

        Assert.Equal(ChatModelErrorKind.ContextTooLong, ex.Kind);
        Assert.Equal("tiny-chat", ex.ModelName);
    }

    [Fact]
    public async Task GetResponseAsync_Tools_RefusedAsInvalidRequest()
    {
        using var model = Create(new FakeBackend());
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 42, "answer")] };

        var ex = await Assert.ThrowsAsync<ChatModelException>(() =>
            model.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], options, Token));

        Assert.Equal(ChatModelErrorKind.InvalidRequest, ex.Kind);
        Assert.Contains("tools", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_JsonResponseFormat_RefusedAsInvalidRequest()
    {
        using var model = Create(new FakeBackend());

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ResponseFormat = ChatResponseFormat.Json }, Token));

        Assert.Equal(ChatModelErrorKind.InvalidRequest, ex.Kind);
        Assert.Contains("JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_ToolRoleOrImage_RefusedAsInvalidRequest()
    {
        using var model = Create(new FakeBackend());

        var tool = await Assert.ThrowsAsync<ChatModelException>(() =>
            model.GetResponseAsync([new ChatMessage(ChatRole.Tool, "42")], cancellationToken: Token));
        var image = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync(
            [new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "image/png")])], cancellationToken: Token));

        Assert.Equal(ChatModelErrorKind.InvalidRequest, tool.Kind);
        Assert.Equal(ChatModelErrorKind.InvalidRequest, image.Kind);
        Assert.Contains("DataContent", image.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_SamplingOutOfRange_RefusedAsInvalidRequest()
    {
        using var model = Create(new FakeBackend());

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { TopP = 2 }, Token));

        Assert.Equal(ChatModelErrorKind.InvalidRequest, ex.Kind);
    }

    [Fact]
    public async Task GetResponseAsync_SecondTurn_EvaluatesOnlyTheNewSuffix()
    {
        var backend = new FakeBackend();
        using var model = Create(backend);
        var first = await model.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], cancellationToken: Token);
        var decoder = Assert.Single(backend.Decoders);
        var batchesBefore = decoder.Batches.Count;

        var second = await model.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "Hi"), first.Messages[0], new ChatMessage(ChatRole.User, "Yo")], cancellationToken: Token);

        Assert.Equal("echo:Yo", second.Text);
        var firstPrompt = PromptTokens(new ChatTurn("user", "Hi"));
        var secondPrompt = PromptTokens(new ChatTurn("user", "Hi"), new ChatTurn("assistant", "echo:Hi"), new ChatTurn("user", "Yo"));

        // The cache kept the first prompt and the evaluated answer "echo:Hi" (its EOS was sampled, not evaluated).
        var reused = firstPrompt.Length + "echo:Hi".Length;
        Assert.Equal(reused, second.Usage!.CachedInputTokenCount);
        Assert.Equal(secondPrompt.Length, second.Usage.InputTokenCount);
        Assert.Equal(secondPrompt[reused..], decoder.Batches[batchesBefore]);
        Assert.Single(backend.Decoders);
    }

    [Fact]
    public async Task GetResponseAsync_ConcurrentCallsOneContext_AllCorrectAndNeverOverlapping()
    {
        var backend = new FakeBackend();
        using var model = Create(backend);

        var calls = Enumerable.Range(0, 12).Select(i =>
            Task.Run(() => model.GetResponseAsync([new ChatMessage(ChatRole.User, $"question {i}")], cancellationToken: Token), Token)).ToArray();
        var responses = await Task.WhenAll(calls);

        for (var i = 0; i < calls.Length; i++)
        {
            Assert.Equal($"echo:question {i}", responses[i].Text);
        }

        var decoder = Assert.Single(backend.Decoders);
        Assert.False(decoder.Overlapped);
    }

    [Fact]
    public async Task GetResponseAsync_ConcurrentCallsTwoContexts_AtMostTwoContextsAllCorrect()
    {
        var backend = new FakeBackend();
        using var model = Create(backend, o => o.MaxConcurrentContexts = 2);

        var calls = Enumerable.Range(0, 12).Select(i =>
            Task.Run(() => model.GetResponseAsync([new ChatMessage(ChatRole.User, $"q{i}")], cancellationToken: Token), Token)).ToArray();
        var responses = await Task.WhenAll(calls);

        for (var i = 0; i < calls.Length; i++)
        {
            Assert.Equal($"echo:q{i}", responses[i].Text);
        }

        Assert.InRange(backend.Decoders.Count, 1, 2);
        Assert.All(backend.Decoders, d => Assert.False(d.Overlapped));
    }

    [Fact]
    public async Task GetResponseAsync_WhileContextBusy_ReturnsToCallerAndQueuesInArrivalOrder()
    {
        using var gate = new ManualResetEventSlim(false);
        var order = new List<string>();
        var backend = new FakeBackend(contextSize => new ScriptedDecoder(EchoScript.Next, contextSize)
        {
            OnDecode = d =>
            {
                if (d.Batches[^1].Length > 1)
                {
                    lock (order)
                    {
                        order.Add(string.Concat(d.Batches[^1].Select(CharTokenizer.Decode)));
                    }
                }

                // Fails instead of hanging if generation ever ran on the caller's thread.
                Assert.True(gate.Wait(TimeSpan.FromSeconds(30)));
            },
        });
        using var model = Create(backend);

        var first = model.GetResponseAsync([new ChatMessage(ChatRole.User, "A")], cancellationToken: Token);
        var second = model.GetResponseAsync([new ChatMessage(ChatRole.User, "B")], cancellationToken: Token);
        var third = model.GetResponseAsync([new ChatMessage(ChatRole.User, "C")], cancellationToken: Token);

        // Generation is blocked inside the decoder, yet every call has returned a pending task.
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);
        gate.Set();

        Assert.Equal(["echo:A", "echo:B", "echo:C"], (await Task.WhenAll(first, second, third)).Select(r => r.Text));
        Assert.Equal(3, order.Count);
        Assert.Contains("A<|im_end|>", order[0], StringComparison.Ordinal);
        Assert.Contains("B<|im_end|>", order[1], StringComparison.Ordinal);
        Assert.Contains("C<|im_end|>", order[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_CancelledWhileQueued_ThrowsAndLeavesQueue()
    {
        using var gate = new ManualResetEventSlim(false);
        var backend = new FakeBackend(contextSize => new ScriptedDecoder(EchoScript.Next, contextSize)
        {
            OnDecode = _ => Assert.True(gate.Wait(TimeSpan.FromSeconds(30))),
        });
        using var model = Create(backend);
        using var cts = new CancellationTokenSource();

        var busy = model.GetResponseAsync([new ChatMessage(ChatRole.User, "A")], cancellationToken: Token);
        var queued = model.GetResponseAsync([new ChatMessage(ChatRole.User, "B")], cancellationToken: cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        gate.Set();
        Assert.Equal("echo:A", (await busy).Text);
        Assert.Equal("echo:C", (await model.GetResponseAsync([new ChatMessage(ChatRole.User, "C")], cancellationToken: Token)).Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledBetweenTokens_ThrowsAndContextIsReusable()
    {
        using var cts = new CancellationTokenSource();
        var backend = new FakeBackend(contextSize => new ScriptedDecoder(EchoScript.Next, contextSize)
        {
            // The caller cancels while the fourth answer token is being evaluated.
            OnDecode = d =>
            {
                if (d.Batches.Count == 4)
                {
                    cts.Cancel();
                }
            },
        });
        using var model = Create(backend);
        var received = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "long question")], cancellationToken: cts.Token))
            {
                received.Add(update.Text);
            }
        });

        var text = string.Concat(received);
        Assert.StartsWith(text, "echo:long question", StringComparison.Ordinal);
        Assert.True(text.Length <= 4);
        Assert.Equal("echo:next", (await model.GetResponseAsync([new ChatMessage(ChatRole.User, "next")], cancellationToken: Token)).Text);
        Assert.False(Assert.Single(backend.Decoders).Overlapped);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConsumerStopsEarly_GenerationStopsAndNextCallRuns()
    {
        var backend = new FakeBackend();
        using var model = Create(backend);

        await foreach (var update in model.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "abcdef")], cancellationToken: Token))
        {
            break;
        }

        Assert.Equal("echo:x", (await model.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], cancellationToken: Token)).Text);
    }

    [Fact]
    public void Constructor_TemplateFromFile_Detected()
    {
        using var model = Create(new FakeBackend(chatTemplate: "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}"));
        Assert.Equal("llama3", model.ChatTemplateName);
    }

    [Fact]
    public void Constructor_ExplicitTemplate_OverridesFile()
    {
        using var model = Create(new FakeBackend(chatTemplate: "{{ '<|im_start|>' }}"), o => o.ChatTemplate = "gemma");
        Assert.Equal("gemma", model.ChatTemplateName);
    }

    [Fact]
    public void Constructor_UnknownTemplate_RefusedWithValidNamesAndBackendReleased()
    {
        var backend = new FakeBackend();

        var ex = Assert.Throws<HybridAIException>(() => Create(backend, o => o.ChatTemplate = "alpaca"));

        Assert.Contains("chatml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("llama3", ex.Message, StringComparison.Ordinal);
        Assert.True(backend.Disposed);
    }

    [Fact]
    public void Constructor_InvalidOptions_Refused()
    {
        Assert.Throws<HybridAIException>(() => Create(new FakeBackend(), o => o.MaxConcurrentContexts = 0));
        Assert.Throws<HybridAIException>(() => Create(new FakeBackend(), o => o.ContextSize = 0));
        Assert.Throws<HybridAIException>(() => Create(new FakeBackend(), o => o.ModelPath = " "));
    }

    [Fact]
    public async Task Dispose_ReleasesContextsAndModel_ThenCallsFail()
    {
        var backend = new FakeBackend();
        var model = Create(backend, o => o.KvCacheType = KvCacheType.F32);
        await model.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], cancellationToken: Token);

        model.Dispose();

        Assert.True(backend.Disposed);
        Assert.True(Assert.Single(backend.Decoders).Disposed);
        Assert.Equal(KvCacheType.F32, backend.LastKvCacheType);
        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            model.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], cancellationToken: Token));
    }
}
