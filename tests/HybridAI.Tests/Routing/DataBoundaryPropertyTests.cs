using System.Globalization;
using CsCheck;
using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

/// <summary>Property-based: generated configurations, failures and calls; a sensitive call never reaches a partner model.</summary>
public sealed class DataBoundaryPropertyTests
{
    private static readonly string[] s_providers = ["openai", "gemini", "llama"];
    private static readonly ChatModelErrorKind[] s_failures =
        [ChatModelErrorKind.Transient, ChatModelErrorKind.RateLimited, ChatModelErrorKind.ContextTooLong, ChatModelErrorKind.InvalidRequest];

    private sealed record ModelCase(int Provider, bool InHouse, int Failure, int Weight);

    private sealed record Case(ModelCase[] Models, int[] Fallbacks, int Shadow, int RouteClassification, int DefaultClassification,
        int CallClassification, int Pin, bool Streaming)
    {
        public override string ToString() => string.Join(' ', Models.Select(m => $"({m.Provider},{m.InHouse},{m.Failure},{m.Weight})"))
            + $" fb=[{string.Join(',', Fallbacks)}] shadow={Shadow} route={RouteClassification} default={DefaultClassification} call={CallClassification} pin={Pin} stream={Streaming}";
    }

    private static readonly Gen<Case> s_cases =
        from models in Gen.Select(Gen.Int[0, 2], Gen.Bool, Gen.Int[-1, 3], Gen.Int[0, 10], (p, h, f, w) => new ModelCase(p, h, f, w)).Array[2, 5]
        from fallbacks in Gen.Int[0, models.Length - 1].Array[0, 3]
        from shadow in Gen.Int[-1, models.Length - 1]
        from route in Gen.Int[0, 3]
        from defaults in Gen.Int[0, 2]
        from call in Gen.Int[0, 3]
        from pin in Gen.Int[-1, models.Length - 1]
        from streaming in Gen.Bool
        select new Case(models, fallbacks, shadow, route, defaults, call, pin, streaming);

    [Fact]
    public async Task Router_GeneratedConfigurations_SensitiveCallsNeverReachPartnerModels()
    {
        await s_cases.SampleAsync(Check, writeLine: TestContext.Current.TestOutputHelper!.WriteLine, iter: 300, threads: 1);
    }

    private static async Task Check(Case sample)
    {
        var settings = Configuration(sample);
        RouterFixture fixture;
        try
        {
            fixture = new RouterFixture(settings);
            _ = fixture.Router;
        }
        catch (HybridAIConfigurationException ex)
        {
            Assert.All(ex.Problems, p => Assert.Contains("sensitive", p, StringComparison.Ordinal));
            return;
        }

        using (fixture)
        {
            Script(fixture, sample);
            DataClassification? classification = sample.CallClassification == 0 ? null : (DataClassification)(sample.CallClassification - 1);
            var options = new ChatOptions().WithRouting(new ChatRoutingContext
            {
                Classification = classification,
                StickyKey = "key",
                ModelName = sample.Pin < 0 ? null : "m" + sample.Pin,
            });
            string? servedBy;
            try
            {
                servedBy = sample.Streaming
                    ? (await fixture.Router.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")], options, TestContext.Current.CancellationToken)
                        .ToListAsync(TestContext.Current.CancellationToken)).ToChatResponse().GetRoutingDecision()!.ChosenModel
                    : (await fixture.Router.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], options, TestContext.Current.CancellationToken))
                        .GetRoutingDecision()!.ChosenModel;
            }
            catch (HybridAIException)
            {
                servedBy = null;
            }

            var router = (HybridRouter)fixture.Services.GetService(typeof(HybridRouter))!;
            for (var i = 0; i < 1000 && router.Shadow.InFlight > 0; i++)
            {
                await Task.Delay(1, TestContext.Current.CancellationToken);
            }

            // The call's own classification wins over the configured default; a route's classification is a floor.
            var sensitive = classification == DataClassification.Sensitive || sample.RouteClassification == 3
                || (classification is null && sample.DefaultClassification == 2);
            if (sensitive)
            {
                for (var i = 0; i < sample.Models.Length; i++)
                {
                    if (!sample.Models[i].InHouse)
                    {
                        Assert.Equal(0, fixture.Model("m" + i).CallCount);
                    }
                }

                Assert.True(servedBy is null || sample.Models[int.Parse(servedBy[1..], CultureInfo.InvariantCulture)].InHouse);
            }
        }
    }

    private static Dictionary<string, string?> Configuration(Case sample)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DefaultClassification"] = ((DataClassification)sample.DefaultClassification).ToString(),
        };
        for (var i = 0; i < sample.Models.Length; i++)
        {
            var model = sample.Models[i];
            settings[$"Models:m{i}:Provider"] = s_providers[model.Provider];
            settings[$"Models:m{i}:Locality"] = model.InHouse ? "InHouse" : "Partner";
        }

        // Weights normalised to add up to 100, as validation requires.
        var total = sample.Models.Sum(m => m.Weight);
        var weights = sample.Models.Select(m => total == 0 ? 0 : m.Weight * 100 / total).ToArray();
        if (total == 0)
        {
            weights[0] = 100;
        }
        else
        {
            weights[Array.FindIndex(weights, w => w > 0) is var first and >= 0 ? first : 0] += 100 - weights.Sum();
        }

        for (var i = 0; i < weights.Length; i++)
        {
            settings[$"Routes:Default:Rollout:m{i}"] = weights[i].ToString(CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < sample.Fallbacks.Length; i++)
        {
            settings[$"Routes:Default:Fallbacks:{i}"] = "m" + sample.Fallbacks[i];
        }

        if (sample.Shadow >= 0)
        {
            settings["Routes:Default:Shadow"] = "m" + sample.Shadow;
        }

        if (sample.RouteClassification > 0)
        {
            settings["Routes:Default:Classification"] = ((DataClassification)(sample.RouteClassification - 1)).ToString();
        }

        return settings;
    }

    /// <summary>Sets each model's scripted failure once the fixture has built the models.</summary>
    private static void Script(RouterFixture fixture, Case sample)
    {
        for (var i = 0; i < sample.Models.Length; i++)
        {
            var kind = sample.Models[i].Failure;
            var name = "m" + i;
            fixture.Model(name).Failure = kind < 0 ? null : () => new ChatModelException(s_failures[kind], name, "scripted");
        }
    }
}
