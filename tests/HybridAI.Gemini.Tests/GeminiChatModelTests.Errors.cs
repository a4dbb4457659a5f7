using HybridAI.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using static HybridAI.Gemini.Tests.GeminiTestServer;

namespace HybridAI.Gemini.Tests;

public sealed partial class GeminiChatModelTests
{
    private static string ErrorBody(int code, string status, string message, string details = "")
    {
        var detailsField = details.Length > 0 ? ",\"details\":" + details : string.Empty;
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\"" + detailsField + "}}";
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT", ChatModelErrorKind.InvalidRequest)]
    [InlineData(401, "UNAUTHENTICATED", ChatModelErrorKind.Authentication)]
    [InlineData(403, "PERMISSION_DENIED", ChatModelErrorKind.Authentication)]
    [InlineData(404, "NOT_FOUND", ChatModelErrorKind.Unavailable)]
    [InlineData(408, "DEADLINE_EXCEEDED", ChatModelErrorKind.Timeout)]
    [InlineData(429, "RESOURCE_EXHAUSTED", ChatModelErrorKind.RateLimited)]
    [InlineData(500, "INTERNAL", ChatModelErrorKind.Transient)]
    [InlineData(502, "UNAVAILABLE", ChatModelErrorKind.Transient)]
    [InlineData(503, "UNAVAILABLE", ChatModelErrorKind.Transient)]
    [InlineData(504, "DEADLINE_EXCEEDED", ChatModelErrorKind.Transient)]
    public async Task GetResponseAsync_ErrorStatus_ThrowsTheMatchingKindWithModelAndWithoutKey(int code, string status, ChatModelErrorKind kind)
    {
        await using var server = await LoopbackServer.StartAsync(Json(ErrorBody(code, status, "Something went wrong."), code));
        using var model = CreateModel(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(kind, ex.Kind);
        Assert.Equal(code, ex.StatusCode);
        Assert.Equal(status, ex.ProviderErrorCode);
        Assert.Equal(Model, ex.ModelName);
        Assert.Contains(Model, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Something went wrong.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeApiKey, ex.ToString(), StringComparison.Ordinal);
        Assert.Single(server.Requests); // retries are off by default
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitedWithRetryInfo_ReportsTheRetryDelay()
    {
        const string details = """
            [{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
             {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},
             {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]
            """;
        await using var server = await LoopbackServer.StartAsync(Json(ErrorBody(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", details), 429));
        using var model = CreateModel(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.RateLimited, ex.Kind);
        Assert.Equal(TimeSpan.FromSeconds(12), ex.RetryAfter);
        Assert.True(ex.IsRetriable);
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitedWithRetryAfterHeader_ReportsTheHeader()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.Headers.RetryAfter = "7";
            await WriteJsonAsync(context, ErrorBody(429, "RESOURCE_EXHAUSTED", "Slow down."), 429);
        });
        using var model = CreateModel(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
    }

    [Fact]
    public async Task GetResponseAsync_VertexArrayWrappedError_IsRead()
    {
        const string body = """[{"error":{"code":429,"message":"Resource exhausted. Please try again later.","status":"RESOURCE_EXHAUSTED"}}]""";
        await using var server = await LoopbackServer.StartAsync(Json(body, 429));
        using var model = CreateModel(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.RateLimited, ex.Kind);
        Assert.Equal("RESOURCE_EXHAUSTED", ex.ProviderErrorCode);
    }

    [Fact]
    public async Task GetResponseAsync_ErrorWithoutJsonBody_StillMapsTheStatus()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 502;
            await context.Response.WriteAsync("<html>Bad Gateway</html>", Ct);
        });
        using var model = CreateModel(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Transient, ex.Kind);
        Assert.Equal(502, ex.StatusCode);
        Assert.Null(ex.ProviderErrorCode);
    }

    [Fact]
    public async Task GetResponseAsync_PromptTooLong_ThrowsContextTooLong()
    {
        await using var server = await LoopbackServer.StartAsync(Json(ErrorBody(400, "INVALID_ARGUMENT",
            "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."), 400));
        using var model = CreateModel(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.ContextTooLong, ex.Kind);
    }

    [Fact]
    public async Task GetResponseAsync_MalformedJson_ThrowsMalformedResponse()
    {
        await using var server = await LoopbackServer.StartAsync(Json("{\"candidates\":[{\"content\":"));
        using var model = CreateModel(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.MalformedResponse, ex.Kind);
    }

    [Fact]
    public async Task GetResponseAsync_EndpointDown_ThrowsUnavailable()
    {
        var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        var address = server.BaseAddress;
        await server.DisposeAsync();
        using var model = new GeminiChatModel(new GeminiChatModelOptions { Model = Model, ApiKey = FakeApiKey, BaseAddress = address });

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Unavailable, ex.Kind);
    }

    [Fact]
    public async Task GetResponseAsync_RetriesEnabled_BacksOffThenHonorsRetryInfoAndSucceeds()
    {
        const string retryInfo = """[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]""";
        await using var server = await LoopbackServer.StartAsync(Sequence(
            Json(ErrorBody(503, "UNAVAILABLE", "Overloaded."), 503),
            Json(ErrorBody(429, "RESOURCE_EXHAUSTED", "Quota.", retryInfo), 429),
            Json(PlainTextResponse)));
        var time = new RecordingTimeProvider();
        using var model = CreateModel(server, o => { o.MaxRetries = 3; o.TimeProvider = time; o.RetryBaseDelay = TimeSpan.FromSeconds(2); });

        var response = await model.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Equal("Bonjour, le monde.", response.Text);
        Assert.Equal(3, server.Requests.Count);
        var delays = time.Delays;
        Assert.Equal(2, delays.Count);
        Assert.InRange(delays[0], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)); // 2s with equal jitter
        Assert.Equal(TimeSpan.FromSeconds(7), delays[1]);
        Assert.All(server.Requests, r => Assert.Equal(server.Requests[0].Body, r.Body));
    }

    [Fact]
    public async Task GetResponseAsync_RetriesExhausted_ThrowsTheLastFailure()
    {
        await using var server = await LoopbackServer.StartAsync(Json(ErrorBody(500, "INTERNAL", "Internal error."), 500));
        var time = new RecordingTimeProvider();
        using var model = CreateModel(server, o => { o.MaxRetries = 2; o.TimeProvider = time; });

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Transient, ex.Kind);
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(2, time.Delays.Count);
        Assert.True(time.Delays[1] >= TimeSpan.FromSeconds(1)); // the second wait doubles the first's ceiling
    }

    [Fact]
    public async Task GetResponseAsync_ServerAsksForLongerThanMaxDelay_FailsAtOnceWithRetryAfter()
    {
        const string retryInfo = """[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"3600s"}]""";
        await using var server = await LoopbackServer.StartAsync(Json(ErrorBody(429, "RESOURCE_EXHAUSTED", "Daily quota.", retryInfo), 429));
        var time = new RecordingTimeProvider();
        using var model = CreateModel(server, o => { o.MaxRetries = 3; o.TimeProvider = time; });

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(TimeSpan.FromHours(1), ex.RetryAfter);
        Assert.Single(server.Requests);
        Assert.Empty(time.Delays);
    }

    [Fact]
    public async Task GetResponseAsync_NonRetriableStatus_IsNotRetried()
    {
        await using var server = await LoopbackServer.StartAsync(Json(ErrorBody(400, "INVALID_ARGUMENT", "Bad."), 400));
        var time = new RecordingTimeProvider();
        using var model = CreateModel(server, o => { o.MaxRetries = 3; o.TimeProvider = time; });

        await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ErrorStatus_ThrowsBeforeAnyUpdate()
    {
        await using var server = await LoopbackServer.StartAsync(Json(ErrorBody(403, "PERMISSION_DENIED", "Permission denied."), 403));
        using var model = CreateModel(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                Assert.Fail("No update expected, got: " + update);
            }
        });

        Assert.Equal(ChatModelErrorKind.Authentication, ex.Kind);
        Assert.Equal(403, ex.StatusCode);
    }

    [Fact]
    public async Task GetResponseAsync_Cancelled_ThrowsOperationCanceled()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        using var model = CreateModel(server);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var call = model.GetResponseAsync("Hi", cancellationToken: cts.Token);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }
}
