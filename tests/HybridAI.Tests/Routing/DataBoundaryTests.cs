using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

public sealed class DataBoundaryTests
{
    private static readonly string[] s_names = ["m0", "m1", "m2"];
    private static readonly string[] s_providers = ["openai", "gemini", "llama"];

    [Fact]
    public async Task GetResponseAsync_SensitiveCall_GoesToInHouseEvenWhenRouteSaysPartner()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Fallbacks:0"] = "local";
        using var fixture = new RouterFixture(settings);

        var response = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Classification = DataClassification.Sensitive });

        Assert.Equal("local", response.Text);
        Assert.Equal(0, fixture.Model("partner").CallCount);
        var rejected = Assert.Single(response.GetRoutingDecision()!.Rejected);
        Assert.Equal(("partner", "data-boundary"), (rejected.Model, rejected.Policy));
    }

    [Fact]
    public async Task GetResponseAsync_SensitiveCallNoInHouseCandidate_FailsClearlyAndSendsNothing()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Fallbacks:0"] = "flash";
        using var fixture = new RouterFixture(settings);

        var error = await Assert.ThrowsAsync<RoutingException>(() =>
            RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Classification = DataClassification.Sensitive }));

        Assert.StartsWith("No in-house model qualifies for this sensitive call", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Model("partner").CallCount);
        Assert.Equal(0, fixture.Model("flash").CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_RouteDeclaredSensitive_CallCannotLowerClassification()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:hr:Models:0"] = "partner";
        settings["Routes:hr:Models:1"] = "local";
        settings["Routes:hr:Classification"] = "Sensitive";
        using var fixture = new RouterFixture(settings);

        var response = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "hr", Classification = DataClassification.Public });

        Assert.Equal("local", response.Text);
        Assert.Equal(DataClassification.Sensitive, response.GetRoutingDecision()!.Classification);
    }

    [Fact]
    public async Task ModelGate_SensitiveCallToPartner_RefusesBeforeInvokingWhateverThePoliciesDecided()
    {
        var entry = WeightedRolloutPolicyTests.Entry("p");
        var model = (FakeChatModel)entry.Model;

        await Assert.ThrowsAsync<RoutingException>(async () => await ModelGate.GetResponseAsync(entry, DataClassification.Sensitive,
            [new ChatMessage(ChatRole.User, "secret")], null, null, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<RoutingException>(async () => await ModelGate.StartStreamAsync(entry, DataClassification.Sensitive,
            [new ChatMessage(ChatRole.User, "secret")], null, null, TestContext.Current.CancellationToken));

        Assert.Equal(0, model.CallCount);
    }

    /// <summary>
    /// Exhaustive over small configurations: three models of every locality mix, every route shape, fallback chain, shadow,
    /// route and call classification, primary failure, pin and call kind. A sensitive call never reaches a partner model.
    /// </summary>
    [Fact]
    public async Task Router_AllSmallConfigurations_SensitiveCallsNeverReachPartnerModels()
    {
        var sensitiveCalls = 0;
        var servedInHouse = 0;
        var refused = 0;
        for (var localities = 0; localities < 8; localities++)
        {
            foreach (var shape in new[] { "fixed", "rollout", "cheapest" })
            {
                foreach (var fallbacks in new[] { Array.Empty<string>(), ["m1"], ["m2", "m1"] })
                {
                    foreach (var shadow in new string?[] { null, "m2" })
                    {
                        foreach (var routeClassification in new string?[] { null, "Sensitive" })
                        {
                            var settings = Configuration(localities, shape, fallbacks, shadow, routeClassification);
                            RouterFixture fixture;
                            try
                            {
                                fixture = new RouterFixture(settings);
                                _ = fixture.Router;
                            }
                            catch (HybridAIConfigurationException ex)
                            {
                                // Only the sensitive-route rules may reject these configurations.
                                Assert.All(ex.Problems, p => Assert.Contains("sensitive", p, StringComparison.Ordinal));
                                continue;
                            }

                            using (fixture)
                            {
                                foreach (var callClassification in new DataClassification?[] { null, DataClassification.Internal, DataClassification.Sensitive })
                                {
                                    foreach (var failPrimary in new[] { false, true })
                                    {
                                        foreach (var pin in new string?[] { null, "m1" })
                                        {
                                            foreach (var streaming in new[] { false, true })
                                            {
                                                var sensitive = callClassification == DataClassification.Sensitive || routeClassification is not null;
                                                var outcome = await Call(fixture, callClassification, failPrimary, pin, streaming);
                                                await WaitForShadows(fixture);
                                                var partnerCalls = s_names.Where(n => !IsInHouse(localities, n)).Sum(n => fixture.Model(n).CallCount);
                                                if (sensitive)
                                                {
                                                    sensitiveCalls++;
                                                    Assert.Equal(0, partnerCalls);
                                                    if (outcome is null)
                                                    {
                                                        refused++;
                                                    }
                                                    else
                                                    {
                                                        servedInHouse++;
                                                        Assert.True(IsInHouse(localities, outcome), $"served by partner {outcome}");
                                                    }
                                                }

                                                foreach (var name in s_names)
                                                {
                                                    fixture.Model(name).Calls.Clear();
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        Assert.True(sensitiveCalls > 1000, $"only {sensitiveCalls} sensitive calls were exercised");
        Assert.True(servedInHouse > 100 && refused > 100, $"served {servedInHouse}, refused {refused}");
    }

    private static bool IsInHouse(int localities, string name) => (localities & (1 << (name[1] - '0'))) != 0;

    private static Dictionary<string, string?> Configuration(int localities, string shape, string[] fallbacks, string? shadow, string? routeClassification)
    {
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < s_names.Length; i++)
        {
            settings[$"Models:{s_names[i]}:Provider"] = s_providers[i];
            settings[$"Models:{s_names[i]}:Locality"] = IsInHouse(localities, s_names[i]) ? "InHouse" : "Partner";
            settings[$"Models:{s_names[i]}:Cost:Input"] = (3 - i).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        switch (shape)
        {
            case "fixed":
                settings["Routes:Default:Model"] = "m0";
                break;
            case "rollout":
                settings["Routes:Default:Rollout:m0"] = "50";
                settings["Routes:Default:Rollout:m1"] = "50";
                break;
            default:
                settings["Routes:Default:Models"] = "m0, m1, m2";
                settings["Routes:Default:Selection"] = "Cheapest";
                break;
        }

        for (var i = 0; i < fallbacks.Length; i++)
        {
            settings[$"Routes:Default:Fallbacks:{i}"] = fallbacks[i];
        }

        settings["Routes:Default:Shadow"] = shadow;
        settings["Routes:Default:Classification"] = routeClassification;
        return settings;
    }

    private static async Task<string?> Call(RouterFixture fixture, DataClassification? classification, bool failPrimary, string? pin, bool streaming)
    {
        foreach (var name in s_names)
        {
            fixture.Model(name).Failure = failPrimary && name == "m0" ? () => new ChatModelException(ChatModelErrorKind.Transient, name, "down") : null;
        }

        var options = new ChatOptions().WithRouting(new ChatRoutingContext { Classification = classification, ModelName = pin, StickyKey = "k" });
        try
        {
            if (streaming)
            {
                var updates = await fixture.Router.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")], options, TestContext.Current.CancellationToken)
                    .ToListAsync(TestContext.Current.CancellationToken);
                return updates.ToChatResponse().GetRoutingDecision()!.ChosenModel;
            }

            return (await fixture.Router.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], options, TestContext.Current.CancellationToken))
                .GetRoutingDecision()!.ChosenModel;
        }
        catch (RoutingException)
        {
            return null;
        }
        catch (ChatModelException)
        {
            return null;
        }
    }

    private static async Task WaitForShadows(RouterFixture fixture)
    {
        var router = (HybridRouter)fixture.Services.GetService(typeof(HybridRouter))!;
        for (var i = 0; i < 1000 && router.Shadow.InFlight > 0; i++)
        {
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }
    }
}
