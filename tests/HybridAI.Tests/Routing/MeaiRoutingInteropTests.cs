#pragma warning disable MEAI001 // MEAI's routing types are experimental.
using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

public sealed class MeaiRoutingInteropTests
{
    [Fact]
    public async Task AsRoutingChatClient_UsesHybridPoliciesInsideMeaiFailover()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:translation:Model"] = "partner";
        settings["Routes:translation:Fallbacks:0"] = "flash";
        using var fixture = new RouterFixture(settings);
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.RateLimited, "partner", "busy");
        RoutingChatClient meai = fixture.Router.AsRoutingChatClient();
        var options = new ChatOptions().WithRouting(new ChatRoutingContext { Feature = "translation" });

        var response = await meai.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options, TestContext.Current.CancellationToken);

        Assert.Equal("flash", response.Text);
        var decision = response.GetRoutingDecision()!;
        Assert.Equal(["partner", "flash"], decision.Attempts.Select(a => a.Model));
        Assert.Equal("translation", decision.Route);
        Assert.Null(Assert.Single(fixture.Model("flash").Calls).Options!.AdditionalProperties);
    }

    [Fact]
    public async Task AsRoutingChatClient_NonFallbackFailure_StopsAtFirstModel()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Fallbacks:0"] = "flash";
        using var fixture = new RouterFixture(settings);
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.InvalidRequest, "partner", "bad");

        var error = await Assert.ThrowsAsync<ChatModelException>(() =>
            fixture.Router.AsRoutingChatClient().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], null, TestContext.Current.CancellationToken));

        Assert.Equal(ChatModelErrorKind.InvalidRequest, error.Kind);
        Assert.Equal(0, fixture.Model("flash").CallCount);
    }

    [Fact]
    public async Task AsRoutingChatClient_SensitiveCall_DataBoundaryHolds()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Fallbacks:0"] = "local";
        using var fixture = new RouterFixture(settings);
        var options = new ChatOptions().WithRouting(new ChatRoutingContext { Classification = DataClassification.Sensitive });

        var updates = await fixture.Router.AsRoutingChatClient()
            .GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "secret")], options, TestContext.Current.CancellationToken)
            .ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal("local", updates.ToChatResponse().Text);
        Assert.Equal(0, fixture.Model("partner").CallCount);
    }

    [Fact]
    public async Task OrderedFailoverChatClient_AroundHybridRouter_FailsOverToAnotherClient()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.Unavailable, "partner", "down");
        var backup = new FakeChatModel(new ModelDescriptor("backup", "ollama"));
        using var failover = new OrderedFailoverChatClient([fixture.Router, backup], leaveOpen: true);

        var response = await failover.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], null, TestContext.Current.CancellationToken);

        Assert.Equal("backup", response.Text);
    }

    [Fact]
    public async Task MeaiRoutingChatClient_AsModelInHybridRegistry_ServesThroughRouter()
    {
        var inner = new FakeChatModel(new ModelDescriptor("inner", "llama") { Locality = ModelLocality.InHouse });
        using var meaiRouter = RoutingChatClient.Create((_, _) => new ValueTask<IChatClient>(inner));
        IChatModel model = meaiRouter.AsChatModel(new ModelDescriptor("meai-router", "meai") { Locality = ModelLocality.InHouse });

        var response = await model.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], null, TestContext.Current.CancellationToken);

        Assert.Equal("inner", response.Text);
        Assert.Equal("meai-router", model.GetModelDescriptor()!.Name);
    }

    [Fact]
    public void AsRoutingChatClient_NotARouter_Throws()
    {
        var model = new FakeChatModel(new ModelDescriptor("x", "openai"));

        Assert.Throws<ArgumentException>(() => model.AsRoutingChatClient());
    }
}
