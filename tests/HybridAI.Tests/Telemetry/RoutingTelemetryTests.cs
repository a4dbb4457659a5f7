using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HybridAI.Tests;

public sealed class RoutingTelemetryTests
{
    [Fact]
    public async Task GetResponseAsync_WithListener_WritesGenAiSpanWithRoutingAttributes()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == HybridAITelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (activities) { activities.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        var settings = RouterFixture.Standard();
        settings["Routes:translation:Model"] = "flash";
        using var fixture = new RouterFixture(settings);

        var feature = "telemetry-" + Guid.NewGuid().ToString("N");
        settings[$"Routes:{feature}:Model"] = "flash";
        fixture.Reload(settings);
        await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = feature });

        Activity activity;
        lock (activities)
        {
            activity = Assert.Single(activities, a => (string?)a.GetTagItem("hybridai.route") == feature);
        }

        Assert.Equal("chat flash", activity.DisplayName);
        Assert.Equal(ActivityKind.Client, activity.Kind);
        Assert.Equal("chat", activity.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("gemini", activity.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("flash", activity.GetTagItem("gen_ai.request.model"));
        Assert.Equal(10L, activity.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(5L, activity.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal("flash", activity.GetTagItem("hybridai.model"));
        Assert.Equal(feature, activity.GetTagItem("hybridai.feature"));
        Assert.Equal("feature-route,fixed", activity.GetTagItem("hybridai.policies"));
        Assert.NotNull(activity.GetTagItem("hybridai.cost"));
        Assert.Contains("model=flash", (string)activity.GetTagItem("hybridai.decision")!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_Metrics_RecordDurationTokensCostAndFallbacks()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Fallbacks:0"] = "flash";
        using var fixture = new RouterFixture(settings, services => services.AddMetrics());
        var meterFactory = fixture.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var duration = new MetricCollector<double>(meterFactory, HybridAITelemetry.MeterName, "gen_ai.client.operation.duration");
        using var tokens = new MetricCollector<long>(meterFactory, HybridAITelemetry.MeterName, "gen_ai.client.token.usage");
        using var cost = new MetricCollector<double>(meterFactory, HybridAITelemetry.MeterName, "hybridai.cost");
        using var fallbacks = new MetricCollector<long>(meterFactory, HybridAITelemetry.MeterName, "hybridai.routing.fallbacks");
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.Transient, "partner", "down");

        await RouterFixture.Ask(fixture.Router);

        var measurement = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal("chat", measurement.Tags["gen_ai.operation.name"]);
        Assert.Equal("gemini", measurement.Tags["gen_ai.provider.name"]);
        Assert.Equal("flash", measurement.Tags["gen_ai.request.model"]);
        Assert.Equal("default", measurement.Tags["hybridai.route"]);
        var tokenMeasurements = tokens.GetMeasurementSnapshot();
        Assert.Equal(10, Assert.Single(tokenMeasurements, m => (string?)m.Tags["gen_ai.token.type"] == "input").Value);
        Assert.Equal(5, Assert.Single(tokenMeasurements, m => (string?)m.Tags["gen_ai.token.type"] == "output").Value);
        Assert.Equal(((10 * 0.1) + (5 * 0.4)) / 1e6, Assert.Single(cost.GetMeasurementSnapshot()).Value, 12);
        Assert.Equal(1, Assert.Single(fallbacks.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task GetResponseAsync_Refused_CountsRefusalWithErrorType()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard(), services => services.AddMetrics());
        var meterFactory = fixture.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var refusals = new MetricCollector<long>(meterFactory, HybridAITelemetry.MeterName, "hybridai.routing.refusals");

        await Assert.ThrowsAsync<RoutingException>(() =>
            RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Classification = DataClassification.Sensitive }));

        Assert.Equal("HybridAI.RoutingException", Assert.Single(refusals.GetMeasurementSnapshot()).Tags["error.type"]);
    }

    [Fact]
    public async Task RoutingUsage_TracksTokensAndCostPerModelAndFeature()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:translation:Model"] = "flash";
        using var fixture = new RouterFixture(settings);
        var usage = fixture.Services.GetRequiredService<RoutingUsage>();

        await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation" });
        await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "translation" });
        await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "chat" });

        Assert.Equal(new UsageTotals(2, 20, 10, 2 * 0.000003m), usage.ForModel("flash"));
        Assert.Equal(new UsageTotals(2, 20, 10, 2 * 0.000003m), usage.ForFeature("translation"));
        Assert.Equal(new UsageTotals(1, 10, 5, 0.00006m), usage.ForFeature("chat"));
        Assert.Equal(2, usage.ByModel().Count);
        Assert.Equal(2, usage.ByFeature().Count);
    }

    [Fact]
    public async Task GetResponseAsync_DebugLogging_LogsDecision()
    {
        using var fixture = new RouterFixture(RouterFixture.Standard());

        await RouterFixture.Ask(fixture.Router);

        Assert.Contains(fixture.Logs.GetSnapshot(), r => r.Message.StartsWith("Routed call: route=default classification=Internal model=partner", StringComparison.Ordinal));
    }
}
