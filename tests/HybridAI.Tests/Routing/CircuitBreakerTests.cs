namespace HybridAI.Tests;

public sealed class CircuitBreakerTests
{
    private static Dictionary<string, string?> Settings()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Fallbacks:0"] = "flash";
        settings["Models:partner:Resilience:CircuitBreaker:MinimumThroughput"] = "2";
        settings["Models:partner:Resilience:CircuitBreaker:FailureRatio"] = "0.5";
        settings["Models:partner:Resilience:CircuitBreaker:BreakDuration"] = "00:00:30";
        return settings;
    }

    [Fact]
    public async Task GetResponseAsync_ModelKeepsFailing_CircuitOpensHealthFilterSkipsItThenCooldownLetsItBack()
    {
        using var fixture = new RouterFixture(Settings());
        _ = fixture.Router;
        var partner = fixture.Model("partner");
        partner.Failure = () => new ChatModelException(ChatModelErrorKind.Unavailable, "partner", "down");

        await RouterFixture.Ask(fixture.Router);
        await RouterFixture.Ask(fixture.Router);
        var whileOpen = await RouterFixture.Ask(fixture.Router);

        Assert.Equal(2, partner.CallCount);
        Assert.Equal("flash", whileOpen.Text);
        var rejected = Assert.Single(whileOpen.GetRoutingDecision()!.Rejected);
        Assert.Equal(("partner", "health"), (rejected.Model, rejected.Policy));

        partner.Failure = null;
        fixture.Time.Advance(TimeSpan.FromSeconds(31));
        var afterCooldown = await RouterFixture.Ask(fixture.Router);

        Assert.Equal("partner", afterCooldown.Text);
        Assert.Equal(3, partner.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_InvalidRequestFailures_DoNotOpenCircuit()
    {
        using var fixture = new RouterFixture(Settings());
        _ = fixture.Router;
        var partner = fixture.Model("partner");
        partner.Failure = () => new ChatModelException(ChatModelErrorKind.InvalidRequest, "partner", "bad");

        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<ChatModelException>(() => RouterFixture.Ask(fixture.Router));
        }

        Assert.Equal(4, partner.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_PinnedModelWithOpenCircuit_FailsWithHealthReason()
    {
        using var fixture = new RouterFixture(Settings());
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.Transient, "partner", "down");
        await RouterFixture.Ask(fixture.Router);
        await RouterFixture.Ask(fixture.Router);

        var error = await Assert.ThrowsAsync<RoutingException>(() => RouterFixture.Ask(fixture.Router, new ChatRoutingContext { ModelName = "partner" }));

        Assert.Contains("health", error.Message, StringComparison.Ordinal);
    }
}
