using System.Diagnostics;
using HybridAI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;
using static HybridAI.Gemini.Tests.GeminiTestServer;

namespace HybridAI.Gemini.Tests;

public sealed partial class GeminiChatModelTests
{
    [Fact]
    public async Task GetResponseAsync_DeveloperApi_SendsTheKeyHeaderAndNoBearerToken()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server);

        await model.GetResponseAsync("Hi", cancellationToken: Ct);

        var request = Assert.Single(server.Requests);
        Assert.Equal(FakeApiKey, request.Headers["x-goog-api-key"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.DoesNotContain(FakeApiKey, request.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("europe-west4")]
    [InlineData("global")]
    public async Task GetResponseAsync_VertexAI_SendsTheBearerTokenToTheProjectPathAndNoKey(string location)
    {
        var json = Json(PlainTextResponse);
        var sse = SseTrickle(Sse("\r\n", TextChunks()));
        await using var server = await LoopbackServer.StartAsync(context =>
            context.Request.QueryString.Value?.Contains("alt=sse", StringComparison.Ordinal) == true ? sse(context) : json(context));
        var tokenRequests = 0;
        using var model = new GeminiChatModel(new GeminiChatModelOptions
        {
            Backend = GeminiBackend.VertexAI,
            Model = "gemini-2.5-pro",
            Project = "my-project",
            Location = location,
            ApiKey = FakeApiKey, // ignored by Vertex AI: it must never be sent there
            BaseAddress = server.BaseAddress,
            AccessTokenProvider = _ =>
            {
                Interlocked.Increment(ref tokenRequests);
                return ValueTask.FromResult(FakeAccessToken);
            },
        });

        await model.GetResponseAsync("Hi", cancellationToken: Ct);
        await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
        {
            Assert.NotNull(update);
        }

        Assert.Equal(2, tokenRequests);
        var requests = server.Requests;
        Assert.Equal($"/v1/projects/my-project/locations/{location}/publishers/google/models/gemini-2.5-pro:generateContent", requests[0].PathAndQuery);
        Assert.Equal($"/v1/projects/my-project/locations/{location}/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse", requests[1].PathAndQuery);
        Assert.All(requests, r =>
        {
            Assert.Equal("Bearer " + FakeAccessToken, r.Headers["Authorization"]);
            Assert.False(r.Headers.ContainsKey("x-goog-api-key"));
            Assert.DoesNotContain(FakeApiKey, r.PathAndQuery + r.Body, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task GetResponseAsync_VertexTokenSourceFails_ThrowsAuthenticationWithoutCallingTheService()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = new GeminiChatModel(new GeminiChatModelOptions
        {
            Backend = GeminiBackend.VertexAI,
            Model = "gemini-2.5-pro",
            Project = "p",
            BaseAddress = server.BaseAddress,
            AccessTokenProvider = _ => throw new InvalidOperationException("The Application Default Credentials are not available."),
        });

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Authentication, ex.Kind);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void Constructor_MissingSettings_ThrowsNamingTheSetting()
    {
        Assert.Contains("ApiKey", Assert.ThrowsAny<ArgumentException>(() => new GeminiChatModel(new GeminiChatModelOptions { Model = "m" })).Message, StringComparison.Ordinal);
        Assert.Contains("Project", Assert.ThrowsAny<ArgumentException>(() =>
            new GeminiChatModel(new GeminiChatModelOptions { Model = "m", Backend = GeminiBackend.VertexAI })).Message, StringComparison.Ordinal);
        Assert.Contains("Model", Assert.ThrowsAny<ArgumentException>(() => new GeminiChatModel(new GeminiChatModelOptions { ApiKey = "k" })).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every failure path, with the service echoing the key back in its message (as a misbehaving proxy might): the key shows in
    /// no exception, no log record and no trace tag.
    /// </summary>
    [Theory]
    [InlineData("status")]
    [InlineData("in-stream")]
    [InlineData("truncated")]
    [InlineData("retried")]
    [InlineData("blocked")]
    public async Task Failures_KeyEchoedByTheService_AppearsInNoExceptionLogOrTrace(string failure)
    {
        var echoed = "API key not valid: " + FakeApiKey + ". Please pass a valid API key.";
        var errorJson = "{\"error\":{\"code\":400,\"message\":\"" + echoed + "\",\"status\":\"INVALID_ARGUMENT\"}}";
        var handler = failure switch
        {
            "status" => Json(errorJson, 400),
            "in-stream" => SseTrickle(Sse("\r\n", TextChunks()[0], errorJson)),
            "truncated" => SseTrickle(Sse("\r\n", TextChunks()[0])),
            "retried" => Json(errorJson.Replace("400", "503", StringComparison.Ordinal).Replace("INVALID_ARGUMENT", "UNAVAILABLE", StringComparison.Ordinal), 503),
            _ => Json("{\"promptFeedback\":{\"blockReason\":\"OTHER\",\"blockReasonMessage\":\"" + echoed + "\"}}"),
        };
        await using var server = await LoopbackServer.StartAsync(handler);
        var logger = new FakeLogger();
        var tags = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (tags)
                {
                    tags.Add(activity.DisplayName);
                    tags.AddRange(activity.TagObjects.Select(t => $"{t.Key}={t.Value}"));
                    tags.AddRange(activity.Events.Select(e => e.Name));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var model = CreateModel(server, o => { o.MaxRetries = 1; o.TimeProvider = new RecordingTimeProvider(); }, logger);

        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                Assert.NotNull(update);
            }
        });

        Assert.DoesNotContain(FakeApiKey, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeApiKey, ex.Message, StringComparison.Ordinal);
        var records = logger.Collector.GetSnapshot();
        Assert.NotEmpty(records);
        Assert.All(records, r =>
        {
            Assert.DoesNotContain(FakeApiKey, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeApiKey, r.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
            Assert.All(r.StructuredState ?? [], kv => Assert.DoesNotContain(FakeApiKey, kv.Value ?? string.Empty, StringComparison.Ordinal));
        });
        lock (tags)
        {
            Assert.NotEmpty(tags); // HttpClient traced the calls
            Assert.All(tags, t => Assert.DoesNotContain(FakeApiKey, t, StringComparison.Ordinal));
        }
    }
}
