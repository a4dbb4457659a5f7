using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using static HybridAI.OpenAI.Tests.ChatCompletionsWire;
using SdkChatClient = OpenAI.Chat.ChatClient;

namespace HybridAI.OpenAI.Tests;

public sealed class OpenAIChatModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetResponseAsync_TextAnswer_ReturnsTextUsageAndSendsDocumentedRequest()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context, Completion("Paris.", promptTokens: 21, completionTokens: 3)));
        using var model = TestModels.Create(server);
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}""").RootElement;

        var response = await model.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "Answer briefly."), new ChatMessage(ChatRole.User, "Capital of France?")],
            new ChatOptions
            {
                Temperature = 0.25f,
                MaxOutputTokens = 64,
                StopSequences = ["END"],
                Seed = 42,
                ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "city_answer", "The city."),
            },
            Ct);

        Assert.Equal("Paris.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(CompletionId, response.ResponseId);
        Assert.Equal(21, response.Usage?.InputTokenCount);
        Assert.Equal(3, response.Usage?.OutputTokenCount);
        Assert.Equal(24, response.Usage?.TotalTokenCount);

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.PathAndQuery);
        Assert.Equal($"Bearer {TestModels.ApiKey}", request.Headers["Authorization"]);
        var body = Body(request);
        Assert.Equal("gpt-4o-mini", (string?)body["model"]);
        Assert.Equal(0.25, (double)body["temperature"]!, 5);
        Assert.Equal(64, (int?)(body["max_completion_tokens"] ?? body["max_tokens"]));
        Assert.Equal("END", (string?)body["stop"]![0]);
        Assert.Equal(42, (int?)body["seed"]);
        var messages = body["messages"]!.AsArray();
        Assert.Equal(["system", "user"], messages.Select(m => (string?)m!["role"]));
        Assert.Equal("Capital of France?", TextOf(messages[1]!["content"]));
        var format = body["response_format"]!;
        Assert.Equal("json_schema", (string?)format["type"]);
        Assert.Equal("city_answer", (string?)format["json_schema"]!["name"]);
        Assert.Equal("string", (string?)format["json_schema"]!["schema"]!["properties"]!["city"]!["type"]);
        Assert.NotEqual(true, (bool?)body["stream"]);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_EventStream_YieldsTextInOrderWithUsage()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteEventStreamAsync(context,
        [
            Chunk("""{"role":"assistant","content":"","refusal":null}"""),
            Chunk("""{"content":"Bon"}"""),
            Chunk("""{"content":"jour"}"""),
            Chunk("""{"content":" !"}"""),
            Chunk("{}", "stop"),
            UsageChunk(promptTokens: 11, completionTokens: 4),
        ]));
        using var model = TestModels.Create(server);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in model.GetStreamingResponseAsync("Say hello in French.", cancellationToken: Ct))
        {
            updates.Add(update);
        }

        Assert.Equal(["Bon", "jour", " !"], updates.Select(u => u.Text).Where(t => t.Length > 0));
        var response = updates.ToChatResponse();
        Assert.Equal("Bonjour !", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(11, response.Usage?.InputTokenCount);
        Assert.Equal(4, response.Usage?.OutputTokenCount);

        var body = Body(Assert.Single(server.Requests));
        Assert.True((bool?)body["stream"]);
        Assert.True((bool?)body["stream_options"]?["include_usage"]);
    }

    [Fact]
    public async Task GetResponseAsync_ToolCallWithFunctionInvocation_SendsToolResultInSecondRequest()
    {
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync(context => Interlocked.Increment(ref calls) == 1
            ? WriteJsonAsync(context, Completion(null, "tool_calls", ToolCall("call_Qx81", "get_weather", """{"city":"Paris"}""")))
            : WriteJsonAsync(context, Completion("It is sunny in Paris.")));
        using var model = TestModels.Create(server);
        string? askedCity = null;
        var weather = AIFunctionFactory.Create((string city) => { askedCity = city; return $"sunny in {city}"; }, "get_weather", "Current weather of a city.");
        using var client = model.AsBuilder().UseFunctionInvocation().Build();

        var response = await client.GetResponseAsync("Weather in Paris?", new ChatOptions { Tools = [weather] }, Ct);

        Assert.Equal("It is sunny in Paris.", response.Text);
        Assert.Equal("Paris", askedCity);
        Assert.Equal(2, server.Requests.Count);
        var first = Body(server.Requests[0]);
        Assert.Equal("function", (string?)first["tools"]![0]!["type"]);
        Assert.Equal("get_weather", (string?)first["tools"]![0]!["function"]!["name"]);
        Assert.Equal("string", (string?)first["tools"]![0]!["function"]!["parameters"]!["properties"]!["city"]!["type"]);

        var messages = Body(server.Requests[1])["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool"], messages.Select(m => (string?)m!["role"]));
        var toolCall = messages[1]!["tool_calls"]![0]!;
        Assert.Equal("call_Qx81", (string?)toolCall["id"]);
        Assert.Equal("get_weather", (string?)toolCall["function"]!["name"]);
        Assert.Equal("Paris", (string?)JsonNode.Parse((string)toolCall["function"]!["arguments"]!)!["city"]);
        Assert.Equal("call_Qx81", (string?)messages[2]!["tool_call_id"]);
        Assert.Contains("sunny in Paris", TextOf(messages[2]!["content"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_ToolCall_SurfacesFunctionCallContentAndSendsResultBack()
    {
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync(context => Interlocked.Increment(ref calls) == 1
            ? WriteJsonAsync(context, Completion(null, "tool_calls", ToolCall("call_7", "lookup_order", """{"id":1234}""")))
            : WriteJsonAsync(context, Completion("Order 1234 has shipped.")));
        using var model = TestModels.Create(server);
        List<ChatMessage> conversation = [new(ChatRole.User, "Where is order 1234?")];
        var options = new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("lookup_order", "Finds an order.", JsonDocument.Parse("""{"type":"object","properties":{"id":{"type":"integer"}}}""").RootElement)] };

        var first = await model.GetResponseAsync(conversation, options, Ct);
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(first.Messages.SelectMany(m => m.Contents), c => c is FunctionCallContent));
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("call_7", call.CallId);
        Assert.Equal("lookup_order", call.Name);
        Assert.Equal("1234", call.Arguments!["id"]!.ToString());

        conversation.AddMessages(first);
        conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_7", "shipped")]));
        var second = await model.GetResponseAsync(conversation, options, Ct);

        Assert.Equal("Order 1234 has shipped.", second.Text);
        var sent = Body(server.Requests[1])["messages"]!.AsArray();
        Assert.Equal("tool", (string?)sent[2]!["role"]);
        Assert.Equal("call_7", (string?)sent[2]!["tool_call_id"]);
        Assert.Equal("shipped", TextOf(sent[2]!["content"]));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolCallDeltas_AssemblesOneFunctionCall()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteEventStreamAsync(context,
        [
            Chunk("""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_s1","type":"function","function":{"name":"get_weather","arguments":""}}]}"""),
            Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]}"""),
            Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"ty\": \"Oslo\"}"}}]}"""),
            Chunk("{}", "tool_calls"),
            UsageChunk(30, 9),
        ]));
        using var model = TestModels.Create(server);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in model.GetStreamingResponseAsync("Weather in Oslo?", cancellationToken: Ct))
        {
            updates.Add(update);
        }

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("call_s1", call.CallId);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Oslo", call.Arguments!["city"]!.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, updates.ToChatResponse().FinishReason);
    }

    [Theory]
    [InlineData("retry-after", "7", 7000)]
    [InlineData("retry-after-ms", "1500", 1500)]
    public async Task GetResponseAsync_Status429_ThrowsRateLimitedWithRetryAfter(string header, string value, int expectedMilliseconds)
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context,
            Error($"Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3. Key {TestModels.ApiKey}.", "requests", "rate_limit_exceeded"),
            429, (header, value)));
        using var model = TestModels.Create(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.RateLimited, ex.Kind);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), ex.RetryAfter);
        Assert.Equal(429, ex.StatusCode);
        Assert.Equal("rate_limit_exceeded", ex.ProviderErrorCode);
        Assert.Equal("support-gpt", ex.ModelName);
        Assert.Contains("support-gpt", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsRetriable);
        Assert.Single(server.Requests); // the SDK's own retries are off by default
        TestModels.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetResponseAsync_Status500_ThrowsTransient()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context,
            Error($"The server had an error while processing your request (key {TestModels.ApiKey}).", "server_error", null), 500));
        using var model = TestModels.Create(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Transient, ex.Kind);
        Assert.Equal(500, ex.StatusCode);
        Assert.True(ex.IsRetriable);
        Assert.Single(server.Requests);
        TestModels.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetResponseAsync_Status401_ThrowsAuthenticationNamingTheVariable()
    {
        // OpenAI echoes a masked key; this server echoes the whole key too, the worst a compatible server could do.
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context,
            Error($"Incorrect API key provided: {TestModels.ApiKey[..8]}************************{TestModels.ApiKey[^4..]}. ({TestModels.ApiKey})",
                "invalid_request_error", "invalid_api_key"), 401));
        using var model = TestModels.Create(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Authentication, ex.Kind);
        Assert.Equal(401, ex.StatusCode);
        Assert.Equal("invalid_api_key", ex.ProviderErrorCode);
        Assert.False(ex.IsRetriable);
        Assert.Contains(TestModels.ApiKeyVariable, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestModels.ApiKey[^4..] + ".", ex.ToString(), StringComparison.Ordinal);
        TestModels.AssertNoSecret(ex);
    }

    [Theory]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","con""")]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion","created":"yesterday","choices":"none"}""")]
    public async Task GetResponseAsync_MalformedBody_ThrowsMalformedResponse(string body)
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context, body));
        using var model = TestModels.Create(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.MalformedResponse, ex.Kind);
        Assert.Equal("support-gpt", ex.ModelName);
        TestModels.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_MalformedChunk_ThrowsMalformedResponseAfterGoodChunks()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteEventStreamAsync(context,
            [Chunk("""{"role":"assistant","content":"Hel"}"""), """{"id":"chatcmpl-1","choices":[{"delta":{"content":"lo"""]));
        using var model = TestModels.Create(server);
        var texts = new List<string>();

        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                texts.Add(update.Text);
            }
        });

        Assert.Equal(ChatModelErrorKind.MalformedResponse, ex.Kind);
        Assert.Equal(["Hel"], texts);
        TestModels.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetResponseAsync_ContextLengthExceeded_ThrowsContextTooLong()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context,
            Error("This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.",
                "invalid_request_error", "context_length_exceeded", "messages"), 400));
        using var model = TestModels.Create(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.ContextTooLong, ex.Kind);
        Assert.Equal("context_length_exceeded", ex.ProviderErrorCode);
        Assert.Contains("128000", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsRetriable);
        TestModels.AssertNoSecret(ex);
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "invalid_value", ChatModelErrorKind.InvalidRequest)]
    [InlineData(400, "invalid_request_error", "content_filter", ChatModelErrorKind.ContentFiltered)]
    [InlineData(403, "invalid_request_error", "unsupported_country_region_territory", ChatModelErrorKind.Authentication)]
    [InlineData(404, "invalid_request_error", "model_not_found", ChatModelErrorKind.Unavailable)]
    [InlineData(408, "timeout", null, ChatModelErrorKind.Timeout)]
    [InlineData(502, "server_error", null, ChatModelErrorKind.Transient)]
    [InlineData(503, "server_error", null, ChatModelErrorKind.Transient)]
    [InlineData(504, "timeout", null, ChatModelErrorKind.Timeout)]
    public async Task GetResponseAsync_ErrorStatus_ThrowsMatchingKind(int status, string type, string? code, ChatModelErrorKind expected)
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context,
            Error($"Something about the request (sent with {TestModels.ApiKey}).", type, code), status));
        using var model = TestModels.Create(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(expected, ex.Kind);
        Assert.Equal(status, ex.StatusCode);
        TestModels.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Status429_ThrowsRateLimitedBeforeAnyUpdate()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context,
            Error("Rate limit reached.", "requests", "rate_limit_exceeded"), 429, ("retry-after", "2")));
        using var model = TestModels.Create(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                Assert.Fail("No update was expected.");
            }
        });

        Assert.Equal(ChatModelErrorKind.RateLimited, ex.Kind);
        Assert.Equal(TimeSpan.FromSeconds(2), ex.RetryAfter);
        Assert.Equal("rate_limit_exceeded", ex.ProviderErrorCode);
        TestModels.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetResponseAsync_RetryAfterHttpDate_ThrowsRateLimitedWithWaitUntilThatDate()
    {
        var until = DateTimeOffset.UtcNow.AddMinutes(5);
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context,
            Error("Rate limit reached.", "requests", "rate_limit_exceeded"), 429, ("retry-after", until.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        using var model = TestModels.Create(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.RateLimited, ex.Kind);
        Assert.InRange(ex.RetryAfter!.Value, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task GetResponseAsync_ContentFilterFinishReason_ThrowsContentFiltered()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context, Completion("", "content_filter")));
        using var model = TestModels.Create(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.ContentFiltered, ex.Kind);
        TestModels.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ContentFilterFinishReason_ThrowsContentFiltered()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteEventStreamAsync(context,
            [Chunk("""{"role":"assistant","content":"Once"}"""), Chunk("{}", "content_filter")]));
        using var model = TestModels.Create(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                Assert.Equal("Once", update.Text);
            }
        });

        Assert.Equal(ChatModelErrorKind.ContentFiltered, ex.Kind);
        TestModels.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetResponseAsync_NothingListening_ThrowsUnavailable()
    {
        Uri closed;
        await using (var gone = await LoopbackServer.StartAsync(_ => Task.CompletedTask))
        {
            closed = TestModels.V1(gone);
        }

        Environment.SetEnvironmentVariable(TestModels.ApiKeyVariable, TestModels.ApiKey);
        using var model = OpenAIChatModels.Create(new OpenAIChatModelOptions
        {
            Model = "gpt-4o-mini",
            Endpoint = closed,
            ApiKeyEnvironmentVariable = TestModels.ApiKeyVariable,
        });

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Unavailable, ex.Kind);
        Assert.Contains(closed.Authority, ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.StatusCode);
        TestModels.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetResponseAsync_ServerSlowerThanNetworkTimeout_ThrowsTimeout()
    {
        await using var server = await LoopbackServer.StartAsync(context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        using var model = TestModels.Create(server, o => o.NetworkTimeout = TimeSpan.FromMilliseconds(200));

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Timeout, ex.Kind);
        Assert.True(ex.IsRetriable);
        TestModels.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancels_ThrowsOperationCanceled()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            received.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        using var model = TestModels.Create(server);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = model.GetResponseAsync("Hi", cancellationToken: cts.Token);
        await received.Task.WaitAsync(Ct);
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CallerCancelsMidStream_ThrowsOperationCanceled()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            await WriteEventStreamAsync(context, [Chunk("""{"role":"assistant","content":"Hel"}""")], done: false);
            await release.Task.WaitAsync(context.RequestAborted);
        });
        using var model = TestModels.Create(server);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var texts = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in model.GetStreamingResponseAsync("Hi", cancellationToken: cts.Token))
            {
                texts.Add(update.Text);
                await cts.CancelAsync();
            }
        });

        Assert.Equal(["Hel"], texts);
        release.TrySetResult();
    }

    [Fact]
    public async Task Create_CustomEndpointWithPath_SendsRequestsUnderThatBase()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context, Completion("ok")));
        using var model = TestModels.Create(server, o =>
        {
            o.Endpoint = new Uri(server.BaseAddress, "serving/openai/v1");
            o.Organization = "org-hybrid";
            o.Project = "proj_42";
        });

        await model.GetResponseAsync("Hi", cancellationToken: Ct);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/serving/openai/v1/chat/completions", request.PathAndQuery);
        Assert.Equal("org-hybrid", request.Headers["OpenAI-Organization"]);
        Assert.Equal("proj_42", request.Headers["OpenAI-Project"]);
    }

    [Fact]
    public async Task Create_NoKeyAndNoKeyRequired_SendsNoAuthorizationHeader()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context, Completion("local answer")));
        using var model = TestModels.Create(server, o =>
        {
            o.ApiKeyEnvironmentVariable = "HYBRIDAI_TESTS_UNSET_VARIABLE";
            o.RequireApiKey = false;
        });

        var response = await model.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Equal("local answer", response.Text);
        Assert.False(Assert.Single(server.Requests).Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public void Create_KeyVariableNotSet_ThrowsAuthenticationNamingTheVariable()
    {
        var ex = Assert.Throws<ChatModelException>(() => OpenAIChatModels.Create(new OpenAIChatModelOptions
        {
            Model = "gpt-4o-mini",
            ApiKeyEnvironmentVariable = "HYBRIDAI_TESTS_UNSET_VARIABLE",
        }));

        Assert.Equal(ChatModelErrorKind.Authentication, ex.Kind);
        Assert.Equal("gpt-4o-mini", ex.ModelName);
        Assert.Contains("HYBRIDAI_TESTS_UNSET_VARIABLE", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RequireApiKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_MaxRetriesSet_SdkRetriesAfterTransientFailure()
    {
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync(context => Interlocked.Increment(ref calls) == 1
            ? WriteJsonAsync(context, Error("Overloaded.", "server_error", null), 503, ("retry-after-ms", "1"))
            : WriteJsonAsync(context, Completion("second time lucky")));
        using var model = TestModels.Create(server, o => o.MaxRetries = 1);

        var response = await model.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Equal("second time lucky", response.Text);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task GetService_Model_ExposesDescriptorAndSdkClient()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context, Completion("ok")));
        using var model = TestModels.Create(server, o => o.Descriptor = new ModelDescriptor("support-gpt", "openai")
        {
            Capabilities = ModelCapabilities.Streaming | ModelCapabilities.Tools,
            ContextWindow = 128_000,
        });

        Assert.Equal("gpt-4o-mini", model.Descriptor.ModelId);
        Assert.Equal(128_000, model.Descriptor.ContextWindow);
        Assert.Same(model.Descriptor, model.GetService<ModelDescriptor>());
        Assert.NotNull(model.GetService<SdkChatClient>());
        Assert.Same(model.Descriptor, model.AsBuilder().UseFunctionInvocation().Build().GetModelDescriptor());
        Assert.Equal(new Uri(server.BaseAddress, "v1/").ToString().TrimEnd('/'), model.GetService<ChatClientMetadata>()?.ProviderUri?.ToString().TrimEnd('/'));
    }

    [Fact]
    public void Create_NoDescriptor_DescribesAnOpenAIPartnerModel()
    {
        using var model = OpenAIChatModels.Create(new OpenAIChatModelOptions { Model = "gpt-4o-mini", ApiKey = TestModels.ApiKey });

        Assert.Equal("gpt-4o-mini", model.Descriptor.Name);
        Assert.Equal("openai", model.Descriptor.Provider);
        Assert.Equal(ModelLocality.Partner, model.Descriptor.Locality);
        Assert.True(model.Descriptor.Supports(ModelCapabilities.Streaming | ModelCapabilities.Tools | ModelCapabilities.JsonSchema));
    }

    [Fact]
    public async Task AsChatModel_SdkChatClient_TranslatesFailures()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context, Error("Nope.", "server_error", null), 500));
        var sdkClient = new SdkChatClient("gpt-4o-mini", new System.ClientModel.ApiKeyCredential(TestModels.ApiKey),
            new global::OpenAI.OpenAIClientOptions { Endpoint = TestModels.V1(server), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });
        using var model = sdkClient.AsChatModel(new ModelDescriptor("mine", "openai", "gpt-4o-mini"));

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.Transient, ex.Kind);
        Assert.Equal("mine", ex.ModelName);
        TestModels.AssertNoSecret(ex);
    }

    private static string TextOf(JsonNode? content) => content switch
    {
        JsonValue value => (string)value!,
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"])),
        _ => string.Empty,
    };
}
