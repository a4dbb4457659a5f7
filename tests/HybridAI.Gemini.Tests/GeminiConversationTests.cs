using System.Text.Json;
using Microsoft.Extensions.AI;

namespace HybridAI.Gemini.Tests;

public sealed class GeminiConversationTests
{
    [Fact]
    public void StripProviderState_GeminiTurn_RemovesSignaturesThoughtsAndSignatureOnlyParts()
    {
        var call = new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })
        {
            AdditionalProperties = new() { [GeminiConversation.ThoughtSignatureKey] = "c2ln", ["app.tag"] = "kept" },
        };
        var assistant = new ChatMessage(ChatRole.Assistant,
        [
            new TextReasoningContent("Thinking...") { AdditionalProperties = new() { [GeminiConversation.ThoughtKey] = true } },
            new TextContent("Let me check.") { AdditionalProperties = new() { [GeminiConversation.ThoughtSignatureKey] = "dGV4dA==" } },
            call,
            new TextContent(string.Empty) { AdditionalProperties = new() { [GeminiConversation.ThoughtSignatureKey] = "ZW5k" } },
        ])
        {
            AdditionalProperties = new() { [GeminiConversation.ThoughtSignatureKey] = "ZW5k" },
        };
        var user = new ChatMessage(ChatRole.User, "Weather in Paris?");
        ChatMessage[] conversation = [user, assistant, new(ChatRole.Tool, [new FunctionResultContent("c1", "21C")])];

        var stripped = GeminiConversation.StripProviderState(conversation);

        Assert.Equal(3, stripped.Count);
        Assert.Same(user.Contents[0], stripped[0].Contents[0]); // untouched content is shared
        var contents = stripped[1].Contents;
        Assert.Equal(2, contents.Count);
        Assert.Equal("Let me check.", Assert.IsType<TextContent>(contents[0]).Text);
        Assert.Null(contents[0].AdditionalProperties);
        var strippedCall = Assert.IsType<FunctionCallContent>(contents[1]);
        Assert.Equal("c1", strippedCall.CallId);
        Assert.Equal("Paris", strippedCall.Arguments!["city"]);
        Assert.Equal("kept", strippedCall.AdditionalProperties!["app.tag"]);
        Assert.False(strippedCall.AdditionalProperties.ContainsKey(GeminiConversation.ThoughtSignatureKey));
        Assert.Null(stripped[1].AdditionalProperties);
        Assert.Equal(ChatRole.Tool, stripped[2].Role);

        // The original conversation is unchanged.
        Assert.Equal(4, assistant.Contents.Count);
        Assert.Equal("c2ln", call.AdditionalProperties[GeminiConversation.ThoughtSignatureKey]);
        Assert.NotNull(assistant.AdditionalProperties);
    }

    [Fact]
    public void StripProviderState_NoGeminiState_ReturnsEquivalentMessages()
    {
        var message = new ChatMessage(ChatRole.User, [new TextContent("Hi"), new DataContent(new byte[] { 1, 2 }, "image/png")]) { MessageId = "m1" };

        var stripped = Assert.Single(GeminiConversation.StripProviderState([message]));

        Assert.Equal("m1", stripped.MessageId);
        Assert.Equal(message.Contents, stripped.Contents);
    }

    [Fact]
    public async Task StripProviderState_ThenSentToGemini_SendsNoSignature()
    {
        var response = JsonDocument.Parse("""{"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}]}""").RootElement.GetRawText();
        await using var server = await HybridAI.Testing.LoopbackServer.StartAsync(GeminiTestServer.Json(response));
        using var model = GeminiTestServer.CreateModel(server);
        ChatMessage[] conversation =
        [
            new(ChatRole.User, "Hi"),
            new(ChatRole.Assistant, [new TextContent("Hello") { AdditionalProperties = new() { [GeminiConversation.ThoughtSignatureKey] = "c2ln" } }]),
            new(ChatRole.User, "Again"),
        ];

        await model.GetResponseAsync(GeminiConversation.StripProviderState(conversation), cancellationToken: TestContext.Current.CancellationToken);

        Assert.DoesNotContain("thoughtSignature", Assert.Single(server.Requests).Body, StringComparison.Ordinal);
    }
}
