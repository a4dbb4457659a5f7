using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

public sealed class StreamingTests
{
    private static Dictionary<string, string?> Chain()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Fallbacks:0"] = "flash";
        return settings;
    }

    private static IAsyncEnumerable<ChatResponseUpdate> Stream(IChatClient client, ChatOptions? options = null) =>
        client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], options, TestContext.Current.CancellationToken);

    [Fact]
    public async Task GetStreamingResponseAsync_Healthy_StreamsChosenModelWithDecisionOnFirstUpdate()
    {
        using var fixture = new RouterFixture(Chain());
        _ = fixture.Router;
        fixture.Model("partner").Chunks = ["Hel", "lo"];

        var updates = await Stream(fixture.Router).ToListAsync(TestContext.Current.CancellationToken);
        var response = updates.ToChatResponse();

        var decision = updates[0].GetRoutingDecision();
        Assert.NotNull(decision);
        Assert.Equal("Hello", response.Text);
        Assert.Same(decision, response.GetRoutingDecision());
        Assert.Equal("partner", decision.ChosenModel);
        Assert.Equal(10, decision.InputTokens);
        Assert.Equal(5, decision.OutputTokens);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FailsBeforeFirstToken_FallsBack()
    {
        using var fixture = new RouterFixture(Chain());
        _ = fixture.Router;
        fixture.Model("partner").FailStreamAfter = 0;

        var updates = await Stream(fixture.Router).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal("flash", updates.ToChatResponse().Text);
        var decision = updates[0].GetRoutingDecision()!;
        Assert.Equal(["partner", "flash"], decision.Attempts.Select(a => a.Model));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FailsAfterTokensDelivered_SurfacesToCallerWithoutSplicing()
    {
        using var fixture = new RouterFixture(Chain());
        _ = fixture.Router;
        fixture.Model("partner").Chunks = ["one ", "two ", "three"];
        fixture.Model("partner").FailStreamAfter = 2;
        var received = new List<string>();

        var error = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            await foreach (var update in Stream(fixture.Router))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal(ChatModelErrorKind.Transient, error.Kind);
        Assert.Equal(["one ", "two "], received);
        Assert.Equal(0, fixture.Model("flash").CallCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_SensitiveCall_ChoiceMadeBeforeFirstTokenRespectsBoundary()
    {
        var settings = Chain();
        settings["Routes:Default:Fallbacks:1"] = "local";
        using var fixture = new RouterFixture(settings);
        var options = new ChatOptions().WithRouting(new ChatRoutingContext { Classification = DataClassification.Sensitive });

        var updates = await Stream(fixture.Router, options).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal("local", updates.ToChatResponse().Text);
        Assert.Equal(0, fixture.Model("partner").CallCount + fixture.Model("flash").CallCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NoModelQualifies_ThrowsOnEnumeration()
    {
        using var fixture = new RouterFixture(Chain());
        var options = new ChatOptions().WithRouting(new ChatRoutingContext { Classification = DataClassification.Sensitive });

        await Assert.ThrowsAsync<RoutingException>(async () => await Stream(fixture.Router, options).ToListAsync(TestContext.Current.CancellationToken));
    }
}
