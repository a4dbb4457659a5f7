using CsCheck;

namespace HybridAI.Tests;

public sealed class WeightedRolloutPolicyTests
{
    private static Dictionary<string, string?> Rollout(int partner, int local)
    {
        var settings = RouterFixture.Standard();
        settings.Remove("Routes:Default:Model");
        settings["Routes:translation:Rollout:partner"] = partner.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Routes:translation:Rollout:local"] = local.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Routes:Default:Model"] = "partner";
        return settings;
    }

    private static async Task<Dictionary<string, string>> Assign(RouterFixture fixture, int keys)
    {
        var assigned = new Dictionary<string, string>();
        for (var i = 0; i < keys; i++)
        {
            var key = "tenant-" + i;
            var response = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation", StickyKey = key });
            assigned[key] = response.GetRoutingDecision()!.ChosenModel!;
        }

        return assigned;
    }

    [Fact]
    public async Task GetResponseAsync_StickyKey_AlwaysSameModel()
    {
        using var fixture = new RouterFixture(Rollout(50, 50));
        var first = await Assign(fixture, 50);
        var second = await Assign(fixture, 50);

        Assert.Equal(first, second);
        Assert.Contains("weighted-rollout", (await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation", StickyKey = "k" }))
            .GetRoutingDecision()!.DecidedBy);
    }

    [Fact]
    public async Task GetResponseAsync_NinetyTen_SplitsKeysByWeight()
    {
        using var fixture = new RouterFixture(Rollout(90, 10));

        var assigned = await Assign(fixture, 2000);
        var local = assigned.Values.Count(m => m == "local");

        Assert.InRange(local, 140, 260); // 10% of 2000 = 200, well within sampling noise.
    }

    [Fact]
    public async Task Reload_WeightsChange_OnlyKeysThatMustMoveMove()
    {
        using var fixture = new RouterFixture(Rollout(90, 10));
        var before = await Assign(fixture, 2000);

        fixture.Reload(Rollout(70, 30));
        var after = await Assign(fixture, 2000);

        var moved = before.Where(p => after[p.Key] != p.Value).ToList();
        Assert.All(moved, p => Assert.Equal(("partner", "local"), (p.Value, after[p.Key]))); // Only toward the model that gained.
        Assert.InRange(moved.Count, 300, 500); // About 20% of the keys must move; no more.
    }

    [Fact]
    public void Pick_AnyWeightShift_MovesKeysOnlyTowardTheModelThatGained()
    {
        var entries = new[] { "a", "b", "c" }.Select(n => Entry(n)).ToArray();
        Gen.Select(Gen.Int[0, 100], Gen.Int[0, 100], Gen.Int[0, 100], Gen.Int[1, 60], Gen.String[1, 12])
            .Sample((wa, wb, wc, shift, key) =>
            {
                int[] before = [wa + 1, wb + 1, wc + 1];
                int[] after = [before[0] + shift, before[1], before[2]];
                var from = RendezvousHash.Pick(key, entries, before);
                var to = RendezvousHash.Pick(key, entries, after);
                return from == to || to == 0;
            });
    }

    [Fact]
    public void PickRandom_ZeroWeight_NeverChosen()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.NotEqual(1, RendezvousHash.PickRandom([3, 0, 7], 10));
        }
    }

    internal static ModelEntry Entry(string name, ModelLocality locality = ModelLocality.Partner)
    {
        var model = new FakeChatModel(new ModelDescriptor(name, "openai") { Locality = locality });
        var reader = new ConfigurationReader();
        var (pipeline, circuit) = ModelResilience.Build(name, new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build().GetSection("x"),
            reader, TimeProvider.System);
        return new ModelEntry(model, string.Empty, pipeline, circuit, owned: false);
    }
}
