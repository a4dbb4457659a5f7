using System.Text.Json;
using HybridAI.Testing;
using Microsoft.Extensions.AI;
using static HybridAI.Gemini.Tests.GeminiTestServer;

namespace HybridAI.Gemini.Tests;

public sealed partial class GeminiChatModelTests
{
    private const string StreamText1 = "Héllo wörld 🌍, ";
    private const string StreamText2 = "日本語のテキスト — ";
    private const string StreamText3 = "done.";

    private static string[] TextChunks() =>
    [
        $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"{{StreamText1}}"}]},"index":0}],"usageMetadata":{"promptTokenCount":8,"totalTokenCount":8},"modelVersion":"gemini-2.5-flash","responseId":"stream-1"}""",
        $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"{{StreamText2}}"}]},"index":0}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":6,"totalTokenCount":14},"modelVersion":"gemini-2.5-flash","responseId":"stream-1"}""",
        $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"{{StreamText3}}"}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":9,"thoughtsTokenCount":3,"totalTokenCount":20},"modelVersion":"gemini-2.5-flash","responseId":"stream-1"}""",
    ];

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public async Task GetStreamingResponseAsync_BodySplitAtAwkwardBoundaries_YieldsEachDeltaAndTheFinalState(string lineEnd)
    {
        // A comment and a JSON chunk spread over two data lines, besides the plain chunks.
        var chunks = TextChunks();
        var split = chunks[1].IndexOf("\"modelVersion\"", StringComparison.Ordinal);
        var body = $": keep-alive{lineEnd}{lineEnd}"
            + Sse(lineEnd, chunks[0])
            + $"data: {chunks[1][..split]}{lineEnd}data: {chunks[1][split..]}{lineEnd}{lineEnd}"
            + Sse(lineEnd, chunks[2]);
        await using var server = await LoopbackServer.StartAsync(SseTrickle(body));
        using var model = CreateModel(server);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in model.GetStreamingResponseAsync("Write a sentence.", cancellationToken: Ct))
        {
            updates.Add(update);
        }

        Assert.Equal([StreamText1, StreamText2, StreamText3], updates.Where(u => u.Text.Length > 0).Select(u => u.Text));
        var response = updates.ToChatResponse();
        Assert.Equal(StreamText1 + StreamText2 + StreamText3, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("stream-1", response.ResponseId);
        Assert.Equal("gemini-2.5-flash", response.ModelId);
        Assert.Single(response.Messages);

        // Usage is reported once, from the final chunk, so that MEAI's summing does not count it three times.
        Assert.Equal(8, response.Usage?.InputTokenCount);
        Assert.Equal(12, response.Usage?.OutputTokenCount);
        Assert.Equal(20, response.Usage?.TotalTokenCount);

        Assert.Equal("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FunctionCalls_YieldsCallsAndToolCallsFinish()
    {
        var body = Sse("\r\n",
            """{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"s1","name":"get_weather","args":{"city":"Paris","unit":"c"}},"thoughtSignature":"U3RyZWFtU2ln"}]},"index":0}],"modelVersion":"gemini-3-pro-preview","responseId":"st"}""",
            """{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"s2","name":"get_weather","args":{"city":"Oslo","unit":"c"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":12,"totalTokenCount":32},"modelVersion":"gemini-3-pro-preview","responseId":"st"}""");
        await using var server = await LoopbackServer.StartAsync(SseTrickle(body));
        using var model = CreateModel(server);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in model.GetStreamingResponseAsync("Weather?", new ChatOptions { Tools = [AIFunctionFactory.Create(GetWeather, "get_weather")] }, Ct))
        {
            updates.Add(update);
        }

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["s1", "s2"], calls.Select(c => c.CallId));
        Assert.Equal("Oslo", ((JsonElement)calls[1].Arguments!["city"]!).GetString());
        Assert.Equal("U3RyZWFtU2ln", calls[0].AdditionalProperties?[GeminiConversation.ThoughtSignatureKey]);
        Assert.Equal(ChatFinishReason.ToolCalls, updates.ToChatResponse().FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_SignatureInTheLastEmptyTextPart_SurvivesMergingAndGoesBackOnTheNextTurn()
    {
        var body = Sse("\n",
            """{"candidates":[{"content":{"role":"model","parts":[{"text":"Take "}]}}],"responseId":"sig"}""",
            """{"candidates":[{"content":{"role":"model","parts":[{"text":"the train."}]}}],"responseId":"sig"}""",
            """{"candidates":[{"content":{"role":"model","parts":[{"text":"","thoughtSignature":"RmluYWxTaWc="}]},"finishReason":"STOP"}],"responseId":"sig"}""");
        await using var server = await LoopbackServer.StartAsync(Sequence(SseTrickle(body), Json(PlainTextResponse)));
        using var model = CreateModel(server);
        List<ChatMessage> conversation = [new(ChatRole.User, "Train or plane?")];

        await conversation.AddMessagesAsync(model.GetStreamingResponseAsync(conversation, cancellationToken: Ct), Ct);
        conversation.Add(new ChatMessage(ChatRole.User, "Why?"));
        await model.GetResponseAsync(conversation, cancellationToken: Ct);

        Assert.Equal("Take the train.", conversation[1].Text);
        var parts = BodyOf(server.Requests[1]).GetProperty("contents")[1].GetProperty("parts");
        var signed = parts.EnumerateArray().Where(p => p.TryGetProperty("thoughtSignature", out _)).ToList();
        Assert.Equal("RmluYWxTaWc=", Assert.Single(signed).GetProperty("thoughtSignature").GetString());
        Assert.Equal("Take the train.", string.Concat(parts.EnumerateArray().Select(p => p.GetProperty("text").GetString())));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ThoughtParts_AreReasoningNotText()
    {
        var body = Sse("\r\n",
            """{"candidates":[{"content":{"role":"model","parts":[{"text":"Thinking about trains...","thought":true}]}}]}""",
            """{"candidates":[{"content":{"role":"model","parts":[{"text":"Train."}]},"finishReason":"STOP"}]}""");
        await using var server = await LoopbackServer.StartAsync(SseTrickle(body));
        using var model = CreateModel(server);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in model.GetStreamingResponseAsync("Train or plane?", cancellationToken: Ct))
        {
            updates.Add(update);
        }

        Assert.Equal("Train.", string.Concat(updates.Select(u => u.Text)));
        Assert.Contains(updates.SelectMany(u => u.Contents), c => c is TextReasoningContent { Text: "Thinking about trains..." });
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ErrorObjectInsideTheStream_ThrowsAfterTheDeltasAndIsNotRetried()
    {
        var body = Sse("\r\n",
            TextChunks()[0],
            """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""");
        await using var server = await LoopbackServer.StartAsync(SseTrickle(body));
        var time = new RecordingTimeProvider();
        using var model = CreateModel(server, o => { o.MaxRetries = 3; o.TimeProvider = time; });

        var received = new List<string>();
        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal([StreamText1], received);
        Assert.Equal(ChatModelErrorKind.Transient, ex.Kind);
        Assert.Equal(503, ex.StatusCode);
        Assert.Equal("UNAVAILABLE", ex.ProviderErrorCode);
        Assert.Contains("overloaded", ex.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        Assert.Empty(time.Delays);
    }

    [Theory]
    [InlineData("after-complete-events")]
    [InlineData("inside-an-event")]
    public async Task GetStreamingResponseAsync_StreamEndsWithoutFinalChunk_ThrowsInsteadOfAShortAnswer(string where)
    {
        var chunks = TextChunks();
        var body = Sse("\r\n", chunks[0], chunks[1]) + (where == "inside-an-event" ? "data: {\"candidates\":[{\"content\":{\"ro" : string.Empty);
        await using var server = await LoopbackServer.StartAsync(SseTrickle(body));
        using var model = CreateModel(server);

        var received = new List<string>();
        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal([StreamText1, StreamText2], received);
        Assert.Equal(ChatModelErrorKind.Transient, ex.Kind);
        Assert.Equal(Model, ex.ModelName);
        Assert.Contains("incomplete", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionResetMidStream_ThrowsTransient()
    {
        var chunks = TextChunks();
        var firstDeltaSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            await SseTrickle(Sse("\r\n", chunks[0]) + "data: {\"candidates\":[{\"content\":{\"ro")(context);
            await firstDeltaSeen.Task.WaitAsync(context.RequestAborted);
            context.Abort();
        });
        using var model = CreateModel(server);

        var received = new List<string>();
        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                received.Add(update.Text);
                firstDeltaSeen.TrySetResult();
            }
        });

        Assert.Equal([StreamText1], received);
        Assert.Equal(ChatModelErrorKind.Transient, ex.Kind);
        Assert.True(ex.IsRetriable);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_PromptBlocked_ThrowsContentFiltered()
    {
        var body = Sse("\r\n", """{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":4,"totalTokenCount":4}}""");
        await using var server = await LoopbackServer.StartAsync(SseTrickle(body));
        using var model = CreateModel(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                Assert.Fail("No update expected, got: " + update);
            }
        });

        Assert.Equal(ChatModelErrorKind.ContentFiltered, ex.Kind);
        Assert.Equal("SAFETY", ex.ProviderErrorCode);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_SafetyStopMidAnswer_EndsWithContentFilter()
    {
        var body = Sse("\n",
            TextChunks()[0],
            """{"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[{"category":"HARM_CATEGORY_HATE_SPEECH","probability":"HIGH","blocked":true}]}]}""");
        await using var server = await LoopbackServer.StartAsync(SseTrickle(body));
        using var model = CreateModel(server);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
        Assert.Equal(StreamText1, response.Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_HttpErrorBeforeTheStream_IsRetriedWhenEnabled()
    {
        const string overloaded = """{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}""";
        await using var server = await LoopbackServer.StartAsync(Sequence(Json(overloaded, 503), SseTrickle(Sse("\r\n", TextChunks()))));
        var time = new RecordingTimeProvider();
        using var model = CreateModel(server, o => { o.MaxRetries = 2; o.TimeProvider = time; });

        var text = new List<string>();
        await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
        {
            text.Add(update.Text);
        }

        Assert.Equal(StreamText1 + StreamText2 + StreamText3, string.Concat(text));
        Assert.Equal(2, server.Requests.Count);
        Assert.Single(time.Delays);
    }
}
