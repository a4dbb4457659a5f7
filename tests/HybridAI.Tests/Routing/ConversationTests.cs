using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

public sealed class ConversationTests
{
    private static Dictionary<string, string?> Rollout(int partner, int flash)
    {
        var settings = RouterFixture.Standard();
        settings.Remove("Routes:Default:Model");
        settings["Routes:Default:Rollout:partner"] = partner.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Routes:Default:Rollout:flash"] = flash.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Models:partner2:Provider"] = "openai";
        return settings;
    }

    private static List<ChatMessage> History()
    {
        var call = new FunctionCallContent("call-1", "lookup", new Dictionary<string, object?> { ["q"] = "x" })
        {
            AdditionalProperties = new() { ["gemini.thoughtSignature"] = "c2ln", ["note"] = "kept" },
        };
        var answer = new ChatMessage(ChatRole.Assistant, [new TextContent("earlier answer") { RawRepresentation = new object() }, call])
        {
            AdditionalProperties = new() { ["openai.responseId"] = "resp_1", ["app.tag"] = "kept" },
            RawRepresentation = new object(),
        };
        return
        [
            new ChatMessage(ChatRole.User, "first question"),
            answer,
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", "42")]),
            new ChatMessage(ChatRole.User, "next question"),
        ];
    }

    [Fact]
    public async Task GetResponseAsync_ConversationKey_KeepsConversationOnOneModel()
    {
        using var fixture = new RouterFixture(Rollout(50, 50));
        var context = new ChatRoutingContext { ConversationKey = "conv-1" }; // No sticky key: the rollout alone would draw at random.

        var first = (await RouterFixture.Ask(fixture.Router, context)).Text;
        var later = new List<ChatResponse>();
        for (var i = 0; i < 30; i++)
        {
            later.Add(await RouterFixture.Ask(fixture.Router, context));
        }

        Assert.All(later, r => Assert.Equal(first, r.Text));
        Assert.All(later, r => Assert.Contains("conversation-affinity", r.GetRoutingDecision()!.DecidedBy));
    }

    [Fact]
    public async Task GetResponseAsync_ChatOptionsConversationId_ActsAsConversationKey()
    {
        using var fixture = new RouterFixture(Rollout(50, 50));
        var options = new ChatOptions { ConversationId = "thread-9" };

        var first = (await RouterFixture.Ask(fixture.Router, options: options)).Text;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(first, (await RouterFixture.Ask(fixture.Router, options: options)).Text);
        }
    }

    [Fact]
    public async Task Reload_RolloutMovesConversationToOtherProvider_HistoryCarriedNeutrallyAndConversationIdDropped()
    {
        using var fixture = new RouterFixture(Rollout(100, 0));
        var options = new ChatOptions { ConversationId = "resp_1" };
        var history = History();
        await fixture.Router.GetResponseAsync(history, options, TestContext.Current.CancellationToken);

        fixture.Reload(Rollout(0, 100));
        var response = await fixture.Router.GetResponseAsync(history, options, TestContext.Current.CancellationToken);

        Assert.Equal("flash", response.Text);
        var (messages, sentOptions) = Assert.Single(fixture.Model("flash").Calls);
        Assert.Null(sentOptions!.ConversationId);
        var answer = messages[1];
        Assert.Null(answer.RawRepresentation);
        Assert.Equal(["app.tag"], answer.AdditionalProperties!.Keys);
        Assert.All(answer.Contents, c => Assert.Null(c.RawRepresentation));
        var call = Assert.IsType<FunctionCallContent>(answer.Contents[1]);
        Assert.True(call.AdditionalProperties!.ContainsKey("gemini.thoughtSignature")); // Gemini's own state is kept for Gemini.
        Assert.Equal("earlier answer", answer.Text);
        Assert.Equal("resp_1", options.ConversationId);
        Assert.NotNull(history[1].RawRepresentation); // The caller's history is never changed.
    }

    [Fact]
    public async Task GetResponseAsync_FallbackFromGeminiToOpenAI_StripsGeminiStateAndKeepsCallerHistory()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Model"] = "flash";
        settings["Routes:Default:Fallbacks:0"] = "partner";
        using var fixture = new RouterFixture(settings);
        _ = fixture.Router;
        fixture.Model("flash").Failure = () => new ChatModelException(ChatModelErrorKind.RateLimited, "flash", "busy");
        var history = History();
        var options = new ChatOptions { ConversationId = "gemini-session" };

        var response = await fixture.Router.GetResponseAsync(history, options, TestContext.Current.CancellationToken);

        Assert.Equal("partner", response.Text);
        var flashSaw = Assert.Single(fixture.Model("flash").Calls);
        Assert.False(flashSaw.Messages[1].AdditionalProperties!.ContainsKey("openai.responseId"));
        Assert.True(((FunctionCallContent)flashSaw.Messages[1].Contents[1]).AdditionalProperties!.ContainsKey("gemini.thoughtSignature"));
        Assert.Equal("gemini-session", flashSaw.Options!.ConversationId);
        var (messages, sentOptions) = Assert.Single(fixture.Model("partner").Calls);
        Assert.Null(sentOptions!.ConversationId);
        var call = Assert.IsType<FunctionCallContent>(messages[1].Contents[1]);
        Assert.Equal(["note"], call.AdditionalProperties!.Keys);
        Assert.Equal("lookup", call.Name);
        Assert.Equal("x", call.Arguments!["q"]);
        Assert.True(((FunctionCallContent)history[1].Contents[1]).AdditionalProperties!.ContainsKey("gemini.thoughtSignature"));
        Assert.Equal("42", Assert.IsType<FunctionResultContent>(Assert.Single(messages[2].Contents)).Result);
    }

    [Fact]
    public async Task GetResponseAsync_FallbackWithinSameProvider_KeepsConversationIdAndRawState()
    {
        var settings = RouterFixture.Standard();
        settings["Models:partner2:Provider"] = "openai";
        settings["Routes:Default:Fallbacks:0"] = "partner2";
        using var fixture = new RouterFixture(settings);
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.Transient, "partner", "down");
        var history = History();
        var options = new ChatOptions { ConversationId = "conv_abc" };

        await fixture.Router.GetResponseAsync(history, options, TestContext.Current.CancellationToken);

        var (messages, sentOptions) = Assert.Single(fixture.Model("partner2").Calls);
        Assert.Equal("conv_abc", sentOptions!.ConversationId);
        Assert.NotNull(messages[1].RawRepresentation);
        Assert.True(messages[1].AdditionalProperties!.ContainsKey("openai.responseId"));
        Assert.False(((FunctionCallContent)messages[1].Contents[1]).AdditionalProperties!.ContainsKey("gemini.thoughtSignature"));
    }

    [Fact]
    public async Task GetResponseAsync_NoForeignState_SendsCallerMessagesWithoutCopying()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());
        List<ChatMessage> history = [new(ChatRole.User, "plain")];

        await fixture.Router.GetResponseAsync(history, null, TestContext.Current.CancellationToken);

        Assert.Same(history[0], Assert.Single(Assert.Single(fixture.Model("partner").Calls).Messages));
    }

    [Fact]
    public async Task GetResponseAsync_AffinityModelUnhealthy_ConversationMoves()
    {
        var settings = Rollout(100, 0);
        settings["Routes:Default:Fallbacks:0"] = "flash";
        settings["Models:partner:Resilience:CircuitBreaker:MinimumThroughput"] = "2";
        using var fixture = new RouterFixture(settings);
        var context = new ChatRoutingContext { ConversationKey = "c" };
        await RouterFixture.Ask(fixture.Router, context);
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.Unavailable, "partner", "down");

        await RouterFixture.Ask(fixture.Router, context);
        await RouterFixture.Ask(fixture.Router, context);
        var moved = await RouterFixture.Ask(fixture.Router, context);
        fixture.Model("partner").Failure = null;
        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        var stays = await RouterFixture.Ask(fixture.Router, context);

        Assert.Equal("flash", moved.Text);
        Assert.Equal("flash", stays.Text); // Healthy again, but the conversation now keeps to the model it moved to.
    }

    [Fact]
    public async Task GetResponseAsync_ConversationIdleBeyondTimeout_AffinityForgotten()
    {
        var settings = Rollout(100, 0);
        settings["Affinity:IdleTimeout"] = "00:10:00";
        using var fixture = new RouterFixture(settings);
        var context = new ChatRoutingContext { ConversationKey = "c" };
        await RouterFixture.Ask(fixture.Router, context);
        Assert.Contains("conversation-affinity", (await RouterFixture.Ask(fixture.Router, context)).GetRoutingDecision()!.DecidedBy);

        fixture.Time.Advance(TimeSpan.FromMinutes(11));
        var afterIdle = await RouterFixture.Ask(fixture.Router, context);

        Assert.DoesNotContain("conversation-affinity", afterIdle.GetRoutingDecision()!.DecidedBy);
    }
}
