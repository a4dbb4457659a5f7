using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

public sealed class SelectionAndFilterPolicyTests
{
    private static Dictionary<string, string?> Models(string selection)
    {
        var settings = RouterFixture.Standard();
        settings.Remove("Routes:Default:Model");
        settings["Routes:Default:Models:0"] = "partner";
        settings["Routes:Default:Models:1"] = "flash";
        settings["Routes:Default:Models:2"] = "local";
        settings["Routes:Default:Selection"] = selection;
        return settings;
    }

    [Fact]
    public async Task Cheapest_PicksLowestPriceAndKeepsOthersAsFallbacksByPrice()
    {
        using var fixture = new RouterFixture(Models("Cheapest"));
        _ = fixture.Router;
        fixture.Model("local").Failure = () => new ChatModelException(ChatModelErrorKind.Unavailable, "local", "down");

        var response = await RouterFixture.Ask(fixture.Router);

        Assert.Equal("flash", response.Text); // local (free) failed; flash (0.5) is next, partner (10) last.
        Assert.Equal(["local", "flash"], response.GetRoutingDecision()!.Attempts.Select(a => a.Model));
        Assert.Contains("cheapest", response.GetRoutingDecision()!.DecidedBy);
    }

    [Fact]
    public async Task Ordered_KeepsConfiguredOrder()
    {
        using var fixture = new RouterFixture(Models("Ordered"));

        var response = await RouterFixture.Ask(fixture.Router);

        Assert.Equal("partner", response.Text);
    }

    [Fact]
    public async Task Fastest_AfterObservations_PicksLowestObservedLatency()
    {
        using var fixture = new RouterFixture(Models("Fastest"));
        _ = fixture.Router;
        var time = fixture.Time;
        fixture.Model("partner").Delay = _ => { time.Advance(TimeSpan.FromMilliseconds(900)); return Task.CompletedTask; };
        fixture.Model("flash").Delay = _ => { time.Advance(TimeSpan.FromMilliseconds(100)); return Task.CompletedTask; };
        fixture.Model("local").Delay = _ => { time.Advance(TimeSpan.FromMilliseconds(400)); return Task.CompletedTask; };

        // Unobserved models count as fastest, so the first calls measure each model once.
        var warmup = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            warmup.Add((await RouterFixture.Ask(fixture.Router)).Text);
        }

        var response = await RouterFixture.Ask(fixture.Router);

        Assert.Equal(["flash", "local", "partner"], warmup.Order());
        Assert.Equal("flash", response.Text);
        Assert.Contains("lowest-latency", response.GetRoutingDecision()!.DecidedBy);
    }

    [Fact]
    public async Task Capability_ToolsInOptions_RejectsModelsWithoutTools()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Model"] = "local";
        settings["Routes:Default:Fallbacks:0"] = "flash";
        using var fixture = new RouterFixture(settings);
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 42, "answer")] };

        var response = await RouterFixture.Ask(fixture.Router, options: options);

        Assert.Equal("flash", response.Text);
        var rejected = Assert.Single(response.GetRoutingDecision()!.Rejected);
        Assert.Equal(("local", "capability"), (rejected.Model, rejected.Policy));
        Assert.Contains("Tools", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capability_ImageInMessages_RequiresImages()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Model"] = "flash";
        settings["Routes:Default:Fallbacks:0"] = "partner";
        using var fixture = new RouterFixture(settings);
        ChatMessage[] messages = [new(ChatRole.User, [new TextContent("what is this"), new DataContent(new byte[] { 1, 2, 3 }, "image/png")])];

        var response = await fixture.Router.GetResponseAsync(messages, null, TestContext.Current.CancellationToken);

        Assert.Equal("partner", response.Text);
    }

    [Fact]
    public async Task Capability_RequiredJsonSchemaAndContextWindow_FromContext()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Model"] = "local";
        settings["Routes:Default:Fallbacks:0"] = "flash";
        settings["Routes:Default:Fallbacks:1"] = "partner";
        using var fixture = new RouterFixture(settings);

        var bigWindow = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { MinimumContextWindow = 500_000 });
        var schema = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { RequiredCapabilities = ModelCapabilities.JsonSchema });

        Assert.Equal("flash", bigWindow.Text);
        Assert.Equal("partner", schema.Text);
    }

    [Fact]
    public async Task CostCeiling_RejectsModelsAboveCeilingAndUnknownPrices()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Fallbacks:0"] = "flash";
        using var fixture = new RouterFixture(settings);
        var options = new ChatOptions { MaxOutputTokens = 1000 };

        // partner: 1000 output tokens * 8 / 1e6 = 0.008; flash: 0.0004.
        var response = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { CostCeiling = 0.001m }, options);

        Assert.Equal("flash", response.Text);
        Assert.Equal("cost-ceiling", Assert.Single(response.GetRoutingDecision()!.Rejected).Policy);
    }

    [Fact]
    public async Task Filters_NothingQualifies_ThrowsRoutingExceptionListingReasons()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());

        var error = await Assert.ThrowsAsync<RoutingException>(() =>
            RouterFixture.Ask(fixture.Router, new ChatRoutingContext { MinimumContextWindow = 10_000_000 }));

        Assert.Contains("partner (capability: context window 128000 is below the required 10000000)", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Decision);
        Assert.Null(error.Decision.ChosenModel);
    }
}
