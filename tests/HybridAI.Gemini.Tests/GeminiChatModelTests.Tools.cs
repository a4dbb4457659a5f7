using System.ComponentModel;
using System.Text.Json;
using HybridAI.Testing;
using Microsoft.Extensions.AI;
using static HybridAI.Gemini.Tests.GeminiTestServer;

namespace HybridAI.Gemini.Tests;

public sealed partial class GeminiChatModelTests
{
    private const string ParallelCallsResponse = """
        {
          "candidates": [{
            "content": { "role": "model", "parts": [
              { "functionCall": { "id": "call-paris", "name": "get_weather", "args": { "city": "Paris", "unit": "celsius" } },
                "thoughtSignature": "c2lnbmF0dXJlLUEtb3BhcXVlLWJ5dGVz" },
              { "functionCall": { "id": "call-oslo", "name": "get_weather", "args": { "city": "Oslo", "unit": "celsius" } } }
            ]},
            "finishReason": "STOP"
          }],
          "usageMetadata": { "promptTokenCount": 30, "candidatesTokenCount": 20, "totalTokenCount": 50 },
          "modelVersion": "gemini-3-pro-preview",
          "responseId": "resp-tools-1"
        }
        """;

    private const string FinalAnswerResponse = """
        {"candidates":[{"content":{"role":"model","parts":[{"text":"Paris is 21°C and Oslo is cold."}]},"finishReason":"STOP"}],
         "usageMetadata":{"promptTokenCount":60,"candidatesTokenCount":10,"totalTokenCount":70},
         "modelVersion":"gemini-3-pro-preview","responseId":"resp-tools-2"}
        """;

    [Description("Gets the current weather in a city.")]
    private static string GetWeather([Description("The city.")] string city, string unit) =>
        city == "Paris" ? "{\"temperature\":21}" : "cold";

    [Fact]
    public async Task GetResponseAsync_ParallelFunctionCalls_ReturnsCallsWithIdsArgsAndSignature()
    {
        await using var server = await LoopbackServer.StartAsync(Json(ParallelCallsResponse));
        using var model = CreateModel(server);
        var tool = AIFunctionFactory.Create(GetWeather, "get_weather");

        var response = await model.GetResponseAsync("Weather in Paris and Oslo?", new ChatOptions { Tools = [tool] }, Ct);

        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["call-paris", "call-oslo"], calls.Select(c => c.CallId));
        Assert.All(calls, c => Assert.Equal("get_weather", c.Name));
        Assert.Equal("Paris", ((JsonElement)calls[0].Arguments!["city"]!).GetString());
        Assert.Equal("c2lnbmF0dXJlLUEtb3BhcXVlLWJ5dGVz", calls[0].AdditionalProperties?[GeminiConversation.ThoughtSignatureKey]);
        Assert.Null(calls[1].AdditionalProperties);

        var body = BodyOf(Assert.Single(server.Requests));
        var declaration = Assert.Single(Assert.Single(body.GetProperty("tools").EnumerateArray()).GetProperty("functionDeclarations").EnumerateArray());
        Assert.Equal("get_weather", declaration.GetProperty("name").GetString());
        Assert.Equal("Gets the current weather in a city.", declaration.GetProperty("description").GetString());
        var parameters = declaration.GetProperty("parametersJsonSchema");
        Assert.Equal("object", parameters.GetProperty("type").GetString());
        Assert.Equal("The city.", parameters.GetProperty("properties").GetProperty("city").GetProperty("description").GetString());
    }

    [Fact]
    public async Task FunctionInvocation_RoundTrip_SendsCallsWithSignatureAndResponsesWithIdsAndNames()
    {
        await using var server = await LoopbackServer.StartAsync(Sequence(Json(ParallelCallsResponse), Json(FinalAnswerResponse)));
        using var model = CreateModel(server);
        using var client = model.AsBuilder().UseFunctionInvocation().Build();
        var tool = AIFunctionFactory.Create(GetWeather, "get_weather");

        var response = await client.GetResponseAsync("Weather in Paris and Oslo?", new ChatOptions { Tools = [tool] }, Ct);

        Assert.Equal("Paris is 21°C and Oslo is cold.", response.Text);
        Assert.Equal(2, server.Requests.Count);
        var contents = BodyOf(server.Requests[1]).GetProperty("contents");
        Assert.Equal(["user", "model", "user"], contents.EnumerateArray().Select(c => c.GetProperty("role").GetString()));

        // The model's turn goes back as it came: ids, object args, and the signature verbatim on the first call only.
        var calls = contents[1].GetProperty("parts");
        Assert.Equal(2, calls.GetArrayLength());
        Assert.Equal("call-paris", calls[0].GetProperty("functionCall").GetProperty("id").GetString());
        Assert.Equal("get_weather", calls[0].GetProperty("functionCall").GetProperty("name").GetString());
        Assert.Equal("Paris", calls[0].GetProperty("functionCall").GetProperty("args").GetProperty("city").GetString());
        Assert.Equal("c2lnbmF0dXJlLUEtb3BhcXVlLWJ5dGVz", calls[0].GetProperty("thoughtSignature").GetString());
        Assert.False(calls[1].TryGetProperty("thoughtSignature", out _));

        // Both results in one user turn, each with the call's id and the function's name, and an object response.
        var results = contents[2].GetProperty("parts");
        Assert.Equal(2, results.GetArrayLength());
        var paris = results[0].GetProperty("functionResponse");
        Assert.Equal("call-paris", paris.GetProperty("id").GetString());
        Assert.Equal("get_weather", paris.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Object, paris.GetProperty("response").ValueKind);
        Assert.Equal("{\"temperature\":21}", paris.GetProperty("response").GetProperty("result").GetString());
        var oslo = results[1].GetProperty("functionResponse");
        Assert.Equal("call-oslo", oslo.GetProperty("id").GetString());
        Assert.Equal("cold", oslo.GetProperty("response").GetProperty("result").GetString());
    }

    [Fact]
    public async Task GetResponseAsync_ObjectResultAndFailedCall_SendObjectAsIsAndErrorWrapped()
    {
        await using var server = await LoopbackServer.StartAsync(Json(FinalAnswerResponse));
        using var model = CreateModel(server);
        ChatMessage[] conversation =
        [
            new(ChatRole.User, "Go."),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["q"] = "x" }),
                                     new FunctionCallContent("c2", "fail", null)]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", JsonDocument.Parse("""{"rows":[1,2]}""").RootElement)]),
            new(ChatRole.Tool, [new FunctionResultContent("c2", null) { Exception = new InvalidOperationException("db down") }]),
        ];

        await model.GetResponseAsync(conversation, cancellationToken: Ct);

        var contents = BodyOf(Assert.Single(server.Requests)).GetProperty("contents");
        Assert.Equal(3, contents.GetArrayLength()); // the two tool messages merge into one user turn
        var parts = contents[2].GetProperty("parts");
        Assert.Equal(2, parts[0].GetProperty("functionResponse").GetProperty("response").GetProperty("rows").GetArrayLength());
        Assert.Equal("fail", parts[1].GetProperty("functionResponse").GetProperty("name").GetString());
        Assert.Equal("db down", parts[1].GetProperty("functionResponse").GetProperty("response").GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Object, contents[1].GetProperty("parts")[1].GetProperty("functionCall").GetProperty("args").ValueKind);
    }

    [Fact]
    public async Task GetResponseAsync_FunctionCallWithoutId_GeneratesOneAndDoesNotSendItBack()
    {
        const string noId = """
            {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Rome","unit":"c"}}}]},
              "finishReason":"STOP"}],"modelVersion":"gemini-2.0-flash"}
            """;
        await using var server = await LoopbackServer.StartAsync(Sequence(Json(noId), Json(FinalAnswerResponse)));
        using var model = CreateModel(server);
        using var client = model.AsBuilder().UseFunctionInvocation().Build();

        await client.GetResponseAsync("Weather in Rome?", new ChatOptions { Tools = [AIFunctionFactory.Create(GetWeather, "get_weather")] }, Ct);

        var contents = BodyOf(server.Requests[1]).GetProperty("contents");
        Assert.False(contents[1].GetProperty("parts")[0].GetProperty("functionCall").TryGetProperty("id", out _));
        var result = contents[2].GetProperty("parts")[0].GetProperty("functionResponse");
        Assert.False(result.TryGetProperty("id", out _));
        Assert.Equal("get_weather", result.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("auto", "AUTO", null)]
    [InlineData("none", "NONE", null)]
    [InlineData("any", "ANY", null)]
    [InlineData("specific", "ANY", "get_weather")]
    public async Task GetResponseAsync_ToolMode_MapsToFunctionCallingConfig(string mode, string expectedMode, string? allowed)
    {
        await using var server = await LoopbackServer.StartAsync(Json(PlainTextResponse));
        using var model = CreateModel(server);
        ChatToolMode toolMode = mode switch
        {
            "auto" => ChatToolMode.Auto,
            "none" => ChatToolMode.None,
            "any" => ChatToolMode.RequireAny,
            _ => ChatToolMode.RequireSpecific("get_weather"),
        };

        await model.GetResponseAsync("Hi", new ChatOptions { Tools = [AIFunctionFactory.Create(GetWeather, "get_weather")], ToolMode = toolMode }, Ct);

        var config = BodyOf(Assert.Single(server.Requests)).GetProperty("toolConfig").GetProperty("functionCallingConfig");
        Assert.Equal(expectedMode, config.GetProperty("mode").GetString());
        if (allowed is null)
        {
            Assert.False(config.TryGetProperty("allowedFunctionNames", out _));
        }
        else
        {
            Assert.Equal([allowed], config.GetProperty("allowedFunctionNames").EnumerateArray().Select(n => n.GetString()));
        }
    }

    [Fact]
    public async Task GetResponseAsync_TextThoughtSignatureAndThoughtParts_GoBackVerbatimOnTheNextTurn()
    {
        const string answer = """
            {"candidates":[{"content":{"role":"model","parts":[
               {"text":"Weighing the options.","thought":true,"thoughtSignature":"VGhvdWdodFNpZw=="},
               {"text":"Take the train.","thoughtSignature":"VGV4dFNpZw=="}]},"finishReason":"STOP"}],
             "modelVersion":"gemini-3-pro-preview"}
            """;
        await using var server = await LoopbackServer.StartAsync(Json(answer));
        using var model = CreateModel(server);
        List<ChatMessage> conversation = [new(ChatRole.User, "Train or plane?")];

        var first = await model.GetResponseAsync(conversation, cancellationToken: Ct);
        conversation.AddMessages(first);
        conversation.Add(new ChatMessage(ChatRole.User, "Why?"));
        await model.GetResponseAsync(conversation, cancellationToken: Ct);

        Assert.Equal("Take the train.", first.Text);
        var parts = BodyOf(server.Requests[1]).GetProperty("contents")[1].GetProperty("parts");
        Assert.Equal(2, parts.GetArrayLength());
        Assert.True(parts[0].GetProperty("thought").GetBoolean());
        Assert.Equal("VGhvdWdodFNpZw==", parts[0].GetProperty("thoughtSignature").GetString());
        Assert.Equal("Take the train.", parts[1].GetProperty("text").GetString());
        Assert.Equal("VGV4dFNpZw==", parts[1].GetProperty("thoughtSignature").GetString());
    }
}
