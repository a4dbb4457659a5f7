using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace HybridAI.Tests;

public sealed class HybridRouterTests
{
    [Fact]
    public async Task GetResponseAsync_DefaultRoute_ServesWithFixedModelAndAttachesDecision()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());

        var response = await RouterFixture.Ask(fixture.Router);

        Assert.Equal("partner", response.Text);
        var decision = response.GetRoutingDecision();
        Assert.NotNull(decision);
        Assert.Equal("partner", decision.ChosenModel);
        Assert.Equal("openai", decision.ChosenProvider);
        Assert.Equal("default", decision.Route);
        Assert.Equal(["default-route", "fixed"], decision.DecidedBy);
        Assert.Single(decision.Attempts);
        Assert.Equal(10, decision.InputTokens);
        Assert.Equal(5, decision.OutputTokens);
        Assert.Equal(((10 * 2m) + (5 * 8m)) / 1_000_000m, decision.Cost);
    }

    [Fact]
    public async Task GetResponseAsync_FeatureWithRoute_UsesFeatureRoute()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:translation:Model"] = "flash";
        using var fixture = new RouterFixture(settings);

        var routed = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation" });
        var unrouted = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "moderation" });

        Assert.Equal("flash", routed.Text);
        Assert.Equal("translation", routed.GetRoutingDecision()!.Route);
        Assert.Contains("feature-route", routed.GetRoutingDecision()!.DecidedBy);
        Assert.Equal("partner", unrouted.Text);
        Assert.Equal("default", unrouted.GetRoutingDecision()!.Route);
    }

    [Fact]
    public async Task GetResponseAsync_AmbientScope_RoutesByScopeAndOptionsWin()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:translation:Model"] = "flash";
        settings["Routes:summary:Model"] = "local";
        using var fixture = new RouterFixture(settings);

        ChatResponse fromScope, fromOptions;
        using (ChatRoutingScope.Begin(new ChatRoutingContext { Feature = "translation" }))
        {
            fromScope = await RouterFixture.Ask(fixture.Router);
            fromOptions = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "summary" });
        }

        var afterScope = await RouterFixture.Ask(fixture.Router);

        Assert.Equal("flash", fromScope.Text);
        Assert.Equal("local", fromOptions.Text);
        Assert.Equal("partner", afterScope.Text);
    }

    [Fact]
    public async Task GetResponseAsync_PinnedByOptionsModelId_ServesPinnedAndDoesNotForwardPinOrContext()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());
        var options = new ChatOptions { ModelId = "flash", Temperature = 0.5f }.WithRouting(new ChatRoutingContext { Feature = "x" });

        var response = await fixture.Router.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options, TestContext.Current.CancellationToken);

        Assert.Equal("flash", response.Text);
        Assert.Equal(["pinned"], response.GetRoutingDecision()!.DecidedBy.Take(1));
        var sent = Assert.Single(fixture.Model("flash").Calls).Options;
        Assert.NotNull(sent);
        Assert.Null(sent.ModelId);
        Assert.Null(sent.AdditionalProperties);
        Assert.Equal(0.5f, sent.Temperature);
        Assert.Equal("flash", options.ModelId); // The caller's options are untouched.
    }

    [Fact]
    public async Task GetResponseAsync_PinnedByProviderModelId_ResolvesModel()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());

        var response = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { ModelName = "gpt-test" });

        Assert.Equal("partner", response.Text);
    }

    [Fact]
    public async Task GetResponseAsync_PinnedUnknownModel_ThrowsRoutingException()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());

        var error = await Assert.ThrowsAsync<RoutingException>(() => RouterFixture.Ask(fixture.Router, new ChatRoutingContext { ModelName = "nope" }));

        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_OptionsWithoutRoutingData_ArePassedThroughUnchanged()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());
        var options = new ChatOptions { Temperature = 0.1f };

        await fixture.Router.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options, TestContext.Current.CancellationToken);

        Assert.Same(options, Assert.Single(fixture.Model("partner").Calls).Options);
    }

    [Fact]
    public async Task AddHybridAI_RegistersRouterAsChatClientAndModelsAsKeyedServices()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());

        var client = fixture.Services.GetRequiredService<IChatClient>();
        var keyed = fixture.Services.GetRequiredKeyedService<IChatModel>("local");
        var keyedClient = fixture.Services.GetRequiredKeyedService<IChatClient>("flash");
        var viaKeyed = await RouterFixture.Ask(keyed);
        var viaKeyedClient = await RouterFixture.Ask(keyedClient);

        Assert.Same(fixture.Router, client);
        Assert.Equal("local", keyed.Descriptor.Name);
        Assert.Equal(ModelLocality.InHouse, keyed.Descriptor.Locality);
        Assert.Equal("local", viaKeyed.Text);
        Assert.Equal("flash", viaKeyedClient.Text);
    }

    [Fact]
    public async Task KeyedPartnerModel_SensitiveCall_IsRefusedAtTheBoundary()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());
        var keyed = fixture.Services.GetRequiredKeyedService<IChatModel>("partner");

        await Assert.ThrowsAsync<RoutingException>(() =>
            RouterFixture.Ask(keyed, new ChatRoutingContext { Classification = DataClassification.Sensitive }));

        Assert.Equal(0, fixture.Model("partner").CallCount);
    }

    [Fact]
    public void Descriptor_MixedLocalities_DescribesRouterAsPartnerWithUnionOfCapabilities()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());

        var descriptor = fixture.Router.Descriptor;

        Assert.Equal(ModelLocality.Partner, descriptor.Locality);
        Assert.True(descriptor.Supports(ModelCapabilities.Tools | ModelCapabilities.Images | ModelCapabilities.JsonSchema));
        Assert.Equal(1_000_000, descriptor.ContextWindow);
        Assert.Same(descriptor, fixture.Router.GetService<ModelDescriptor>());
        Assert.NotNull(fixture.Router.GetService<RoutingUsage>());
    }

    [Fact]
    public async Task Dispose_DisposesModelsTheRouterCreated()
    {
        var fixture = new RouterFixture(RouterFixture.Standard());
        await RouterFixture.Ask(fixture.Router);
        var partner = fixture.Model("partner");

        fixture.Dispose();

        Assert.True(partner.Disposed);
    }

    [Fact]
    public async Task GetService_KeyedModel_ReturnsPinnedModelThatStillEnforcesBoundary()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());

        var partner = (IChatModel)fixture.Router.GetService(typeof(IChatModel), "partner")!;

        Assert.IsNotType<FakeChatModel>(partner);
        Assert.Equal("partner", partner.Descriptor.Name);
        await Assert.ThrowsAsync<RoutingException>(() =>
            RouterFixture.Ask(partner, new ChatRoutingContext { Classification = DataClassification.Sensitive }));
        Assert.Null(fixture.Router.GetService(typeof(IChatModel), "nope"));
    }
}
