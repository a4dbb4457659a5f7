using System.Net;
using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

public sealed class ChatClientChatModelTests
{
    private static readonly ModelDescriptor s_descriptor = new("support", "azure-openai", "gpt-4o-mini")
    {
        Capabilities = ModelCapabilities.Streaming | ModelCapabilities.Tools,
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetResponseAsync_ModelInsideFunctionInvocationPipeline_InvokesToolAndAnswers()
    {
        var client = new ScriptedChatClient
        {
            Respond = (messages, _, _) => Task.FromResult(messages[^1].Contents.OfType<FunctionResultContent>().FirstOrDefault() is { } result
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, $"The weather is {result.Result}."))
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Lyon" })]))),
        };
        IChatModel model = new ChatClientChatModel(client, s_descriptor);
        var cities = new List<string>();
        var tool = AIFunctionFactory.Create((string city) => { cities.Add(city); return "mild"; }, "get_weather");
        using var pipeline = model.AsBuilder().UseFunctionInvocation().Build();

        var response = await pipeline.GetResponseAsync("Weather in Lyon?", new ChatOptions { Tools = [tool] }, Ct);

        Assert.Equal("The weather is mild.", response.Text);
        Assert.Equal(["Lyon"], cities);
        Assert.Equal(2, client.Calls.Count);
        Assert.Contains(client.Calls[1].Messages, m => m.Role == ChatRole.Tool);
        Assert.Same(s_descriptor, pipeline.GetModelDescriptor());
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, ChatModelErrorKind.Authentication)]
    [InlineData(HttpStatusCode.Forbidden, ChatModelErrorKind.Authentication)]
    [InlineData(HttpStatusCode.TooManyRequests, ChatModelErrorKind.RateLimited)]
    [InlineData(HttpStatusCode.BadRequest, ChatModelErrorKind.InvalidRequest)]
    [InlineData(HttpStatusCode.NotFound, ChatModelErrorKind.Unavailable)]
    [InlineData(HttpStatusCode.RequestTimeout, ChatModelErrorKind.Timeout)]
    [InlineData(HttpStatusCode.GatewayTimeout, ChatModelErrorKind.Timeout)]
    [InlineData(HttpStatusCode.InternalServerError, ChatModelErrorKind.Transient)]
    [InlineData(HttpStatusCode.ServiceUnavailable, ChatModelErrorKind.Transient)]
    public async Task GetResponseAsync_HttpRequestExceptionWithStatus_ThrowsMatchingKind(HttpStatusCode status, ChatModelErrorKind expected)
    {
        var failure = new HttpRequestException("Response status code does not indicate success.", null, status);
        using var model = Failing(failure);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(expected, ex.Kind);
        Assert.Equal((int)status, ex.StatusCode);
        Assert.Equal("support", ex.ModelName);
        Assert.Contains("support", ex.Message, StringComparison.Ordinal);
        Assert.Same(failure, ex.InnerException);
    }

    [Fact]
    public async Task GetResponseAsync_HttpRequestExceptionWithoutStatus_ThrowsUnavailable()
    {
        using var model = Failing(new HttpRequestException("Connection refused (localhost:11434)"));

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Unavailable, ex.Kind);
        Assert.Null(ex.StatusCode);
        Assert.True(ex.IsRetriable);
    }

    [Fact]
    public async Task GetResponseAsync_TimeoutException_ThrowsTimeout()
    {
        using var model = Failing(new TimeoutException("The operation has timed out."));

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Timeout, ex.Kind);
        Assert.IsType<TimeoutException>(ex.InnerException);
    }

    [Fact]
    public async Task GetResponseAsync_CanceledByOtherToken_ThrowsTimeout()
    {
        // HttpClient.Timeout surfaces as TaskCanceledException although the caller did not cancel.
        using var model = Failing(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout."));

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Timeout, ex.Kind);
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var client = new ScriptedChatClient
        {
            Respond = async (_, _, token) =>
            {
                await cts.CancelAsync();
                await Task.Delay(Timeout.Infinite, token);
                return new ChatResponse();
            },
        };
        using var model = new ChatClientChatModel(client, s_descriptor);

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.GetResponseAsync("Hi", cancellationToken: cts.Token));

        Assert.IsNotType<ChatModelException>(ex);
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task GetResponseAsync_ChatModelException_PassesUnchanged()
    {
        var original = new ChatModelException(ChatModelErrorKind.ContentFiltered, "inner-model", "Filtered.");
        using var model = Failing(original);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Same(original, ex);
    }

    [Fact]
    public async Task GetResponseAsync_UnknownException_PassesUnchanged()
    {
        var original = new InvalidOperationException("A bug in the client.");
        using var model = Failing(original);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Same(original, ex);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Updates_PassThroughInOrderWithUsage()
    {
        var client = new ScriptedChatClient
        {
            Stream = (_, token) => ScriptedChatClient.Updates(
            [
                new ChatResponseUpdate(ChatRole.Assistant, "Hel"),
                new ChatResponseUpdate(ChatRole.Assistant, "lo"),
                new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop, Contents = [new UsageContent(new UsageDetails { InputTokenCount = 3, OutputTokenCount = 2 })] },
            ], cancellationToken: token),
        };
        using var model = new ChatClientChatModel(client, s_descriptor);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
        {
            updates.Add(update);
        }

        Assert.Equal(["Hel", "lo", ""], updates.Select(u => u.Text));
        var response = updates.ToChatResponse();
        Assert.Equal("Hello", response.Text);
        Assert.Equal(2, response.Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FailureMidStream_ThrowsTranslatedAfterEarlierUpdates()
    {
        var client = new ScriptedChatClient
        {
            Stream = (_, token) => ScriptedChatClient.Updates([new ChatResponseUpdate(ChatRole.Assistant, "Par")],
                new HttpRequestException("The response ended prematurely.", null, HttpStatusCode.BadGateway), token),
        };
        using var model = new ChatClientChatModel(client, s_descriptor);
        var texts = new List<string>();

        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                texts.Add(update.Text);
            }
        });

        Assert.Equal(["Par"], texts);
        Assert.Equal(ChatModelErrorKind.Transient, ex.Kind);
        Assert.Equal(502, ex.StatusCode);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FailureBeforeFirstUpdate_ThrowsTranslated()
    {
        var client = new ScriptedChatClient
        {
            Stream = (_, _) => throw new HttpRequestException("Too many requests.", null, HttpStatusCode.TooManyRequests),
        };
        using var model = new ChatClientChatModel(client, s_descriptor);

        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                Assert.Fail("No update was expected.");
            }
        });

        Assert.Equal(ChatModelErrorKind.RateLimited, ex.Kind);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CallerCancelsMidStream_ThrowsOperationCanceled()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var client = new ScriptedChatClient
        {
            Stream = (_, token) => ScriptedChatClient.Updates(
                [new ChatResponseUpdate(ChatRole.Assistant, "a"), new ChatResponseUpdate(ChatRole.Assistant, "b")], cancellationToken: token),
        };
        using var model = new ChatClientChatModel(client, s_descriptor);
        var texts = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: cts.Token))
            {
                texts.Add(update.Text);
                await cts.CancelAsync();
            }
        });

        Assert.Equal(["a"], texts);
    }

    [Fact]
    public void GetService_Descriptor_ReturnsDescriptorAndDelegatesOtherServices()
    {
        var client = new ScriptedChatClient();
        using var model = new ChatClientChatModel(client, s_descriptor);

        Assert.Same(s_descriptor, model.GetService<ModelDescriptor>());
        Assert.Null(model.GetService<ModelDescriptor>(serviceKey: "other"));
        Assert.Same(client, model.GetService<ScriptedChatClient>());
        Assert.Same(model, model.GetService<IChatModel>());
    }

    [Fact]
    public void Dispose_Model_DisposesWrappedClient()
    {
        var client = new ScriptedChatClient();
        var model = new ChatClientChatModel(client, s_descriptor);

        model.Dispose();

        Assert.True(client.Disposed);
    }

    private static ChatClientChatModel Failing(Exception failure) =>
        new(new ScriptedChatClient
        {
            Respond = (_, _, _) => Task.FromException<ChatResponse>(failure),
            Stream = (_, token) => ScriptedChatClient.Updates([], failure, token),
        }, s_descriptor);
}
