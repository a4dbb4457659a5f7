using System.Text.Json;
using HybridAI.Testing;
using Microsoft.Extensions.AI;
using static HybridAI.Gemini.Tests.GeminiTestServer;

namespace HybridAI.Gemini.Tests;

/// <summary>The Gemini adapter through real HTTP on loopback, against answers in Gemini's documented wire format.</summary>
public sealed partial class GeminiChatModelTests
{
    private const string PlainTextResponse = """
        {
          "candidates": [{
            "content": { "parts": [{ "text": "Bonjour" }, { "text": ", le monde." }], "role": "model" },
            "finishReason": "STOP",
            "index": 0,
            "safetyRatings": [{ "category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE" }],
            "avgLogprobs": -0.12
          }],
          "usageMetadata": {
            "promptTokenCount": 11,
            "candidatesTokenCount": 4,
            "totalTokenCount": 40,
            "thoughtsTokenCount": 25,
            "cachedContentTokenCount": 6,
            "promptTokensDetails": [{ "modality": "TEXT", "tokenCount": 11 }]
          },
          "modelVersion": "gemini-2.5-flash-001",
          "responseId": "resp-Abc123",
          "someFieldFromTheFuture": { "nested": [1, 2, 3] }
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonElement BodyOf(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement;

    [Fact]
    public async Task GetResponseAsync_PlainText_ReturnsTextIdsAndFinishReason()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server);

        var response = await model.GetResponseAsync("Say hello in French.", cancellationToken: Ct);

        Assert.Equal("Bonjour, le monde.", response.Text);
        Assert.Equal("resp-Abc123", response.ResponseId);
        Assert.Equal("gemini-2.5-flash-001", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ChatRole.Assistant, Assert.Single(response.Messages).Role);

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", request.PathAndQuery);
        var body = BodyOf(request);
        var content = Assert.Single(body.GetProperty("contents").EnumerateArray());
        Assert.Equal("user", content.GetProperty("role").GetString());
        Assert.Equal("Say hello in French.", Assert.Single(content.GetProperty("parts").EnumerateArray()).GetProperty("text").GetString());
        Assert.Equal(1, body.GetProperty("generationConfig").GetProperty("candidateCount").GetInt32());
        Assert.False(body.TryGetProperty("systemInstruction", out _));
        Assert.False(body.TryGetProperty("tools", out _));
    }

    [Fact]
    public async Task GetResponseAsync_UsageMetadata_MapsPromptCandidatesThoughtsAndCachedTokens()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server);

        var response = await model.GetResponseAsync("Hi", cancellationToken: Ct);

        var usage = Assert.IsType<UsageDetails>(response.Usage);
        Assert.Equal(11, usage.InputTokenCount);
        Assert.Equal(4 + 25, usage.OutputTokenCount); // MEAI counts reasoning as output.
        Assert.Equal(25, usage.ReasoningTokenCount);
        Assert.Equal(6, usage.CachedInputTokenCount);
        Assert.Equal(40, usage.TotalTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_MultiPartMessage_SendsTextInlineDataAndFileData()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        var message = new ChatMessage(ChatRole.User,
        [
            new TextContent("Compare the picture with the report."),
            new DataContent(png, "image/png"),
            new UriContent(new Uri("gs://bucket/report.pdf"), "application/pdf"),
            new HostedFileContent("https://generativelanguage.googleapis.com/v1beta/files/abc-123") { MediaType = "video/mp4" },
        ]);

        await model.GetResponseAsync([message], cancellationToken: Ct);

        var parts = BodyOf(Assert.Single(server.Requests)).GetProperty("contents")[0].GetProperty("parts");
        Assert.Equal(4, parts.GetArrayLength());
        Assert.Equal("Compare the picture with the report.", parts[0].GetProperty("text").GetString());
        Assert.Equal("image/png", parts[1].GetProperty("inlineData").GetProperty("mimeType").GetString());
        Assert.Equal(Convert.ToBase64String(png), parts[1].GetProperty("inlineData").GetProperty("data").GetString());
        Assert.Equal("gs://bucket/report.pdf", parts[2].GetProperty("fileData").GetProperty("fileUri").GetString());
        Assert.Equal("application/pdf", parts[2].GetProperty("fileData").GetProperty("mimeType").GetString());
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/files/abc-123", parts[3].GetProperty("fileData").GetProperty("fileUri").GetString());
    }

    [Fact]
    public async Task GetResponseAsync_MultiPartAnswer_MapsThoughtsImagesAndFilesAndHidesThoughtsFromText()
    {
        const string answer = """
            {
              "candidates": [{
                "content": { "role": "model", "parts": [
                  { "text": "The user wants a chart. I will draw one.", "thought": true },
                  { "text": "Here is the chart:" },
                  { "inlineData": { "mimeType": "image/png", "data": "iVBORw0KGgo=" } },
                  { "fileData": { "mimeType": "application/pdf", "fileUri": "gs://bucket/out.pdf" } },
                  { "executableCode": { "language": "PYTHON", "code": "print(1)" } }
                ]},
                "finishReason": "STOP"
              }],
              "modelVersion": "gemini-2.5-pro",
              "responseId": "r2"
            }
            """;
        await using var server = await LoopbackServer.StartAsync(Json(answer));
        using var model = CreateModel(server);

        var response = await model.GetResponseAsync("Draw a chart.", cancellationToken: Ct);

        Assert.Equal("Here is the chart:", response.Text);
        var contents = Assert.Single(response.Messages).Contents;
        Assert.Equal(4, contents.Count);
        Assert.Equal("The user wants a chart. I will draw one.", Assert.IsType<TextReasoningContent>(contents[0]).Text);
        var image = Assert.IsType<DataContent>(contents[2]);
        Assert.Equal("image/png", image.MediaType);
        Assert.Equal(Convert.FromBase64String("iVBORw0KGgo="), image.Data.ToArray());
        Assert.Equal(new Uri("gs://bucket/out.pdf"), Assert.IsType<UriContent>(contents[3]).Uri);
    }

    [Fact]
    public async Task GetResponseAsync_SystemMessagesAndInstructions_GoToSystemInstructionAndRolesMap()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server);
        ChatMessage[] conversation =
        [
            new(ChatRole.System, "You are a terse assistant."),
            new(ChatRole.User, "Hi"),
            new(ChatRole.Assistant, "Hello."),
            new(ChatRole.User, "Translate 'cat' to French."),
        ];

        await model.GetResponseAsync(conversation, new ChatOptions { Instructions = "Answer in one word." }, Ct);

        var body = BodyOf(Assert.Single(server.Requests));
        var system = body.GetProperty("systemInstruction").GetProperty("parts");
        Assert.Equal(["Answer in one word.", "You are a terse assistant."], system.EnumerateArray().Select(p => p.GetProperty("text").GetString()));
        Assert.False(body.GetProperty("systemInstruction").TryGetProperty("role", out _));
        var roles = body.GetProperty("contents").EnumerateArray().Select(c => c.GetProperty("role").GetString());
        Assert.Equal(["user", "model", "user"], roles);
    }

    [Fact]
    public async Task GetResponseAsync_ChatOptions_MapToGenerationConfig()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server);
        var options = new ChatOptions
        {
            Temperature = 0.25f,
            TopP = 0.9f,
            TopK = 40,
            MaxOutputTokens = 256,
            StopSequences = ["END", "STOP"],
            Seed = 1234,
            PresencePenalty = 0.5f,
            FrequencyPenalty = 0.75f,
        };

        await model.GetResponseAsync("Hi", options, Ct);

        var config = BodyOf(Assert.Single(server.Requests)).GetProperty("generationConfig");
        Assert.Equal(0.25f, config.GetProperty("temperature").GetSingle());
        Assert.Equal(0.9f, config.GetProperty("topP").GetSingle());
        Assert.Equal(40, config.GetProperty("topK").GetInt32());
        Assert.Equal(256, config.GetProperty("maxOutputTokens").GetInt32());
        Assert.Equal(["END", "STOP"], config.GetProperty("stopSequences").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(1234, config.GetProperty("seed").GetInt32());
        Assert.Equal(0.5f, config.GetProperty("presencePenalty").GetSingle());
        Assert.Equal(0.75f, config.GetProperty("frequencyPenalty").GetSingle());
        Assert.Equal(1, config.GetProperty("candidateCount").GetInt32());
        Assert.False(config.TryGetProperty("responseMimeType", out _));
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaOutput_SendsResponseJsonSchemaAndReturnsTheJson()
    {
        const string answer = """
            {"candidates":[{"content":{"role":"model","parts":[{"text":"{\"name\":\"Ada\",\"age\":36}"}]},"finishReason":"STOP"}],
             "modelVersion":"gemini-2.5-flash","responseId":"r-json"}
            """;
        await using var server = await LoopbackServer.StartAsync(Json(answer));
        using var model = CreateModel(server);
        var schema = JsonDocument.Parse("""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
             "properties":{"name":{"type":"string"},"age":{"type":["integer","null"]}},
             "required":["name"],"additionalProperties":false}
            """).RootElement;

        var response = await model.GetResponseAsync("Who wrote the first program?",
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person") }, Ct);

        Assert.Equal("Ada", JsonDocument.Parse(response.Text).RootElement.GetProperty("name").GetString());
        var config = BodyOf(Assert.Single(server.Requests)).GetProperty("generationConfig");
        Assert.Equal("application/json", config.GetProperty("responseMimeType").GetString());
        Assert.True(JsonElement.DeepEquals(schema, config.GetProperty("responseJsonSchema")));
        Assert.False(config.TryGetProperty("responseSchema", out _));
    }

    [Fact]
    public async Task GetResponseAsync_OpenApiResponseSchemaOption_SendsResponseSchemaInGeminisSubset()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server, o => o.UseOpenApiResponseSchema = true);
        var schema = JsonDocument.Parse("""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
             "properties":{"age":{"type":["integer","null"]}},"additionalProperties":false}
            """).RootElement;

        await model.GetResponseAsync("Hi", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) }, Ct);

        var config = BodyOf(Assert.Single(server.Requests)).GetProperty("generationConfig");
        var expected = JsonDocument.Parse("""{"type":"object","properties":{"age":{"type":"integer","nullable":true}}}""").RootElement;
        Assert.True(JsonElement.DeepEquals(expected, config.GetProperty("responseSchema")), config.GetProperty("responseSchema").ToString());
        Assert.False(config.TryGetProperty("responseJsonSchema", out _));
    }

    [Fact]
    public async Task GetResponseAsync_JsonWithoutSchema_SendsOnlyTheMimeType()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server);

        await model.GetResponseAsync("Hi", new ChatOptions { ResponseFormat = ChatResponseFormat.Json }, Ct);

        var config = BodyOf(Assert.Single(server.Requests)).GetProperty("generationConfig");
        Assert.Equal("application/json", config.GetProperty("responseMimeType").GetString());
        Assert.False(config.TryGetProperty("responseJsonSchema", out _));
    }

    [Fact]
    public async Task GetResponseAsync_PromptBlocked_ThrowsContentFiltered()
    {
        const string answer = """
            {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT","safetyRatings":[]},
             "usageMetadata":{"promptTokenCount":9,"totalTokenCount":9},"modelVersion":"gemini-2.5-flash","responseId":"r-b"}
            """;
        await using var server = await LoopbackServer.StartAsync(Json(answer));
        using var model = CreateModel(server);

        var ex = await Assert.ThrowsAsync<ChatModelException>(() => model.GetResponseAsync("something forbidden", cancellationToken: Ct));

        Assert.Equal(ChatModelErrorKind.ContentFiltered, ex.Kind);
        Assert.Equal("PROHIBITED_CONTENT", ex.ProviderErrorCode);
        Assert.Equal(Model, ex.ModelName);
        Assert.False(ex.IsRetriable);
    }

    [Theory]
    [InlineData("SAFETY")]
    [InlineData("PROHIBITED_CONTENT")]
    [InlineData("BLOCKLIST")]
    [InlineData("SPII")]
    public async Task GetResponseAsync_SafetyStop_ReturnsContentFilterFinishReason(string reason)
    {
        var answer = $$"""
            {"candidates":[{"finishReason":"{{reason}}","index":0,
              "safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}],
             "usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash","responseId":"r-s"}
            """;
        await using var server = await LoopbackServer.StartAsync(Json(answer));
        using var model = CreateModel(server);

        var response = await model.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
        Assert.Equal(string.Empty, response.Text);
        Assert.Equal(reason, response.AdditionalProperties?[GeminiResponseMapper.FinishReasonKey]);
    }

    [Fact]
    public async Task GetResponseAsync_MaxTokens_ReturnsLengthWithThePartialText()
    {
        const string answer = """
            {"candidates":[{"content":{"role":"model","parts":[{"text":"Once upon a time, there"}]},"finishReason":"MAX_TOKENS"}],
             "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":8,"totalTokenCount":13},"modelVersion":"gemini-2.5-flash"}
            """;
        await using var server = await LoopbackServer.StartAsync(Json(answer));
        using var model = CreateModel(server);

        var response = await model.GetResponseAsync("Tell a story.", new ChatOptions { MaxOutputTokens = 8 }, Ct);

        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal("Once upon a time, there", response.Text);
        Assert.Equal(8, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_VertexCreateTimeWithNanoseconds_IsRead()
    {
        const string answer = """
            {"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}],
             "createTime":"2025-06-02T10:23:45.123456789Z","responseId":"v1","modelVersion":"gemini-2.5-pro"}
            """;
        await using var server = await LoopbackServer.StartAsync(Json(answer));
        using var model = CreateModel(server);

        var response = await model.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Equal(new DateTimeOffset(2025, 6, 2, 10, 23, 45, TimeSpan.Zero).AddTicks(1234567), response.CreatedAt);
    }

    [Fact]
    public async Task GetResponseAsync_ReasoningOutput_AsksForThoughtSummaries()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server);

        await model.GetResponseAsync("Hi", new ChatOptions { Reasoning = new ReasoningOptions { Output = ReasoningOutput.Summary } }, Ct);

        var config = BodyOf(Assert.Single(server.Requests)).GetProperty("generationConfig");
        Assert.True(config.GetProperty("thinkingConfig").GetProperty("includeThoughts").GetBoolean());
    }

    [Fact]
    public async Task GetResponseAsync_ModelIdInOptions_OverridesTheModelInTheUrl()
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server);

        await model.GetResponseAsync("Hi", new ChatOptions { ModelId = "gemini-2.5-pro" }, Ct);

        Assert.Equal("/v1beta/models/gemini-2.5-pro:generateContent", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public void GetService_Descriptor_MetadataAndSelf()
    {
        using var model = new GeminiChatModel(new GeminiChatModelOptions { Model = "gemini-2.5-flash", ApiKey = FakeApiKey });

        Assert.Same(model.Descriptor, model.GetService<ModelDescriptor>());
        Assert.Equal("gemini", model.Descriptor.Provider);
        Assert.True(model.Descriptor.Supports(ModelCapabilities.Tools | ModelCapabilities.JsonSchema | ModelCapabilities.Streaming));
        var metadata = model.GetService<ChatClientMetadata>();
        Assert.Equal("gemini", metadata?.ProviderName);
        Assert.Equal("gemini-2.5-flash", metadata?.DefaultModelId);
        Assert.Same(model, model.GetService<GeminiChatModel>());
        Assert.Null(model.GetService<ModelDescriptor>("keyed"));
    }
}
