using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HybridAI.Tests;

public sealed class RoutingConfigurationTests
{
    /// <summary>The example from the README's "How to route and migrate by configuration".</summary>
    internal const string AppSettings = """
    {
      "HybridAI": {
        "DefaultClassification": "Internal",
        "Models": {
          "support-gpt": {
            "Provider": "openai", "ModelId": "gpt-4o-mini", "ApiKeyVariable": "OPENAI_API_KEY",
            "Capabilities": "Streaming, Tools, JsonSchema, Images", "ContextWindow": 128000,
            "Cost": { "Input": 0.15, "Output": 0.60 },
            "Resilience": { "Timeout": "00:00:30", "MaxRetries": 1,
                            "CircuitBreaker": { "FailureRatio": 0.5, "MinimumThroughput": 10, "BreakDuration": "00:00:30" } }
          },
          "gemini-flash": {
            "Provider": "gemini", "ModelId": "gemini-2.5-flash", "ApiKeyVariable": "GEMINI_API_KEY",
            "Capabilities": "Streaming, Tools, JsonSchema, Images", "ContextWindow": 1000000,
            "Cost": { "Input": 0.30, "Output": 2.50 }
          },
          "llama-local": {
            "Provider": "llama", "Path": "models/llama-3.2-3b-instruct-q4_k_m.gguf", "Locality": "InHouse",
            "Capabilities": "Streaming", "ContextWindow": 8192, "Cost": { "Input": 0, "Output": 0 }
          }
        },
        "Routes": {
          "Default": { "Model": "support-gpt", "Fallbacks": [ "gemini-flash" ] },
          "translation": {
            "Rollout": { "support-gpt": 90, "llama-local": 10 },
            "Fallbacks": [ "gemini-flash" ],
            "Shadow": "llama-local"
          },
          "hr-assistant": { "Model": "llama-local", "Classification": "Sensitive" },
          "tagging": { "Models": [ "support-gpt", "gemini-flash", "llama-local" ], "Selection": "Cheapest" }
        },
        "Budgets": {
          "translation": { "Limit": 50, "Period": "Day", "PreferCheaperAt": 0.8, "WhenExceeded": "Refuse" }
        },
        "Shadow": { "MaxConcurrency": 4, "Timeout": "00:01:00" },
        "Affinity": { "IdleTimeout": "01:00:00" }
      }
    }
    """;

    [Fact]
    public async Task AddHybridAI_ReadmeAppSettings_BuildsAndRoutesEachFeature()
    {
        var json = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(AppSettings))).Build();
        var settings = json.AsEnumerable().Where(p => p.Value is not null && p.Key.StartsWith("HybridAI:", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["HybridAI:".Length..], p => p.Value);
        using var fixture = new RouterFixture(settings, environment: new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-x", ["GEMINI_API_KEY"] = "g-x" });

        var general = await RouterFixture.Ask(fixture.Router);
        var hr = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "hr-assistant" });
        var tagging = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "tagging" });
        var translation = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation", StickyKey = "tenant-1" });

        Assert.Equal("support-gpt", general.Text);
        Assert.Equal("llama-local", hr.Text);
        Assert.Equal(DataClassification.Sensitive, hr.GetRoutingDecision()!.Classification);
        Assert.Equal("llama-local", tagging.Text);
        Assert.Contains(translation.Text, new[] { "support-gpt", "llama-local" });
        Assert.Equal(ModelLocality.InHouse, fixture.Model("llama-local").Descriptor.Locality);
        Assert.Equal(8192, fixture.Model("llama-local").Descriptor.ContextWindow);
        Assert.Equal(new ModelCost(0.15m, 0.60m), fixture.Model("support-gpt").Descriptor.Cost);
        Assert.Equal("gemini-2.5-flash", fixture.Model("gemini-flash").Descriptor.ModelId);
    }

    [Fact]
    public void Router_InvalidConfiguration_ListsEveryProblemAtOnceWithoutSecretValues()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Models:a:Provider"] = "openai",
            ["Models:a:ApiKeyVariable"] = "HYBRIDAI_TEST_MISSING_KEY",
            ["Models:b:Provider"] = "mistral",
            ["Models:c:Provider"] = "gemini",
            ["Models:c:ApiKeyVariable"] = "HYBRIDAI_TEST_PRESENT_KEY",
            ["Models:c:ContextWindow"] = "lots",
            ["Models:d:Provider"] = "openai",
            ["Models:d:Fail"] = "endpoint is not a URL",
            ["Routes:Default:Model"] = "ghost",
            ["Routes:translation:Rollout:a"] = "90",
            ["Routes:translation:Rollout:c"] = "20",
            ["Routes:hr:Model"] = "a",
            ["Routes:hr:Classification"] = "Sensitive",
            ["Budgets:translation:Limit"] = "-5",
        };
        using var fixture = new RouterFixture(settings, environment: new Dictionary<string, string> { ["HYBRIDAI_TEST_PRESENT_KEY"] = "sk-very-secret" });

        var error = Assert.Throws<HybridAIConfigurationException>(() => fixture.Router);

        Assert.Contains(error.Problems, p => p.StartsWith("HybridAI:Models:a:ApiKeyVariable: the environment variable 'HYBRIDAI_TEST_MISSING_KEY' is not set", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("HybridAI:Models:b:Provider: no provider named 'mistral'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p == "HybridAI:Models:c:ContextWindow: 'lots' is not a whole number.");
        Assert.Contains(error.Problems, p => p.Contains("endpoint is not a URL", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("HybridAI:Routes:Default:Model: unknown model 'ghost'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p == "HybridAI:Routes:translation:Rollout: weights must add up to 100; they add up to 110.");
        Assert.Contains(error.Problems, p => p.StartsWith("HybridAI:Routes:hr: the route carries sensitive data but none of its models", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("HybridAI:Budgets:translation:Limit", StringComparison.Ordinal));
        Assert.Equal(8, error.Problems.Count);
        Assert.Contains("(8 problems)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-very-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartupValidator_InvalidConfiguration_FailsHostStartWithEveryProblem()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Model"] = "ghost";
        settings["Routes:x:Rollout:partner"] = "5";
        using var fixture = new RouterFixture(settings);

        var error = Assert.Throws<OptionsValidationException>(() => fixture.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public void StartupValidator_ValidConfiguration_Passes()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());

        fixture.Services.GetRequiredService<IStartupValidator>().Validate();

        Assert.NotNull(fixture.Router);
    }

    [Fact]
    public async Task Reload_ValidChange_AppliesToNextCallAndReusesUnchangedModels()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());
        Assert.Equal("partner", (await RouterFixture.Ask(fixture.Router)).Text);
        var partner = fixture.Model("partner");
        var created = fixture.OpenAI.Created.Count + fixture.Gemini.Created.Count + fixture.Llama.Created.Count;

        var changed = RouterFixture.Standard();
        changed["Routes:Default:Model"] = "local";
        fixture.Reload(changed);

        Assert.Equal("local", (await RouterFixture.Ask(fixture.Router)).Text);
        Assert.Same(partner, fixture.Model("partner"));
        Assert.Equal(created, fixture.OpenAI.Created.Count + fixture.Gemini.Created.Count + fixture.Llama.Created.Count);
        Assert.Contains(fixture.Logs.GetSnapshot(), r => r.Message.StartsWith("HybridAI configuration reloaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_InvalidChange_KeepsLastGoodConfigurationAndLogsWhy()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());
        _ = fixture.Router;

        var broken = RouterFixture.Standard();
        broken["Routes:Default:Model"] = "ghost";
        broken["Models:flash:ContextWindow"] = "wide";
        fixture.Reload(broken);

        Assert.Equal("partner", (await RouterFixture.Ask(fixture.Router)).Text);
        var log = Assert.Single(fixture.Logs.GetSnapshot(), r => r.Level == LogLevel.Error);
        Assert.Contains("keeping the last good configuration", log.Message, StringComparison.Ordinal);
        Assert.Contains("unknown model 'ghost'", log.Message, StringComparison.Ordinal);
        Assert.Contains("'wide' is not a whole number", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_ModelSettingsChanged_RebuildsModelAndDisposesOldOneAfterGracePeriod()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());
        await RouterFixture.Ask(fixture.Router);
        var old = fixture.Model("partner");

        var changed = RouterFixture.Standard();
        changed["Models:partner:Reply"] = "new partner";
        fixture.Reload(changed);
        var response = await RouterFixture.Ask(fixture.Router);

        Assert.Equal("new partner", response.Text);
        Assert.False(old.Disposed);
        fixture.Time.Advance(TimeSpan.FromMinutes(3));
        Assert.True(old.Disposed);
    }

    [Fact]
    public void Router_NoDefaultRouteNoModels_ListsBoth()
    {
        using var fixture = new RouterFixture(new Dictionary<string, string?> { ["Routes:x:Model"] = "a" });

        var error = Assert.Throws<HybridAIConfigurationException>(() => fixture.Router);

        Assert.Contains(error.Problems, p => p.Contains("no models are declared", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("a default route is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Router_SensitiveRouteWithPartnerShadow_IsRejected()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:hr:Model"] = "local";
        settings["Routes:hr:Shadow"] = "partner";
        settings["Routes:hr:Classification"] = "Sensitive";
        using var fixture = new RouterFixture(settings);

        var error = Assert.Throws<HybridAIConfigurationException>(() => fixture.Router);

        Assert.Contains("its shadow 'partner' is not in-house", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Router_RouteWithTwoShapes_IsRejected()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Rollout:partner"] = "100";
        using var fixture = new RouterFixture(settings);

        var error = Assert.Throws<HybridAIConfigurationException>(() => fixture.Router);

        Assert.Contains("exactly one of Model", Assert.Single(error.Problems), StringComparison.Ordinal);
    }
}
