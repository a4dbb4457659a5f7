namespace HybridAI.Tests;

public sealed class BudgetPolicyTests
{
    // partner costs (10 * 2 + 5 * 8) / 1e6 = 0.00006 per call; flash (10 * 0.1 + 5 * 0.4) / 1e6 = 0.000003.
    private static Dictionary<string, string?> Settings(string whenExceeded, bool withFree = true)
    {
        var settings = RouterFixture.Standard();
        settings["Routes:translation:Model"] = "partner";
        settings["Routes:translation:Fallbacks:0"] = "flash";
        if (withFree)
        {
            settings["Routes:translation:Fallbacks:1"] = "local";
        }

        settings["Budgets:translation:Limit"] = "0.0001";
        settings["Budgets:translation:PreferCheaperAt"] = "0.5";
        settings["Budgets:translation:Period"] = "Day";
        settings["Budgets:translation:WhenExceeded"] = whenExceeded;
        return settings;
    }

    private static readonly ChatRoutingContext s_translation = new() { Feature = "translation" };

    [Fact]
    public async Task GetResponseAsync_BudgetCrossesThresholds_PrefersCheaperThenRefusesPaidModels()
    {
        using var fixture = new RouterFixture(Settings("Refuse"));

        var first = await RouterFixture.Ask(fixture.Router, s_translation);    // spent 0 → partner; spent 0.00006
        var second = await RouterFixture.Ask(fixture.Router, s_translation);   // over 0.00005 → cheapest first: local (free)
        await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation", ModelName = "partner" }); // spent 0.00012
        var refused = await RouterFixture.Ask(fixture.Router, s_translation);

        Assert.Equal("partner", first.Text);
        Assert.Equal("local", second.Text);
        Assert.Contains("budget", second.GetRoutingDecision()!.DecidedBy);
        Assert.Equal("local", refused.Text);
        Assert.Equal(["partner", "flash"], refused.GetRoutingDecision()!.Rejected.Select(r => r.Model));
        Assert.All(refused.GetRoutingDecision()!.Rejected, r => Assert.Equal("budget", r.Policy));
    }

    [Fact]
    public async Task GetResponseAsync_BudgetSpentNoFreeModel_RefusesCall()
    {
        using var fixture = new RouterFixture(Settings("Refuse", withFree: false));
        await RouterFixture.Ask(fixture.Router, s_translation);
        await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation", ModelName = "partner" });

        var error = await Assert.ThrowsAsync<RoutingException>(() => RouterFixture.Ask(fixture.Router, s_translation));

        Assert.Contains("budget of feature 'translation' is spent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_PreferCheaperWhenExceeded_KeepsServingCheapest()
    {
        using var fixture = new RouterFixture(Settings("PreferCheaper", withFree: false));
        await RouterFixture.Ask(fixture.Router, s_translation);
        await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation", ModelName = "partner" });

        var response = await RouterFixture.Ask(fixture.Router, s_translation);

        Assert.Equal("flash", response.Text);
    }

    [Fact]
    public async Task GetResponseAsync_NewPeriod_BudgetResets()
    {
        using var fixture = new RouterFixture(Settings("Refuse", withFree: false));
        await RouterFixture.Ask(fixture.Router, s_translation);
        await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation", ModelName = "partner" });
        await Assert.ThrowsAsync<RoutingException>(() => RouterFixture.Ask(fixture.Router, s_translation));

        fixture.Time.Advance(TimeSpan.FromDays(1));
        var response = await RouterFixture.Ask(fixture.Router, s_translation);

        Assert.Equal("partner", response.Text);
    }

    [Fact]
    public async Task GetResponseAsync_OtherFeature_NotAffectedByBudget()
    {
        using var fixture = new RouterFixture(Settings("Refuse", withFree: false));
        await RouterFixture.Ask(fixture.Router, s_translation);
        await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation", ModelName = "partner" });

        var other = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "summaries" });

        Assert.Equal("partner", other.Text);
    }

    [Theory]
    [InlineData(BudgetPeriod.Hour, "2026-11-24T10:00:00Z")]
    [InlineData(BudgetPeriod.Day, "2026-11-24T00:00:00Z")]
    [InlineData(BudgetPeriod.Week, "2026-11-23T00:00:00Z")]
    [InlineData(BudgetPeriod.Month, "2026-11-01T00:00:00Z")]
    internal void PeriodStart_UtcBoundaries(BudgetPeriod period, string expected)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 42, 0, TimeSpan.Zero));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), new BudgetTracker(time).PeriodStart(period));
    }
}
