using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// Writes the router's spans and metrics, following the OpenTelemetry GenAI semantic conventions plus HybridAI's own
/// <c>hybridai.*</c> attributes. Nothing is allocated for spans when no listener samples them.
/// </summary>
/// <remarks>Thread-safe. Owns the meter it creates when no <see cref="IMeterFactory"/> is given.</remarks>
internal sealed class RoutingTelemetry : IDisposable
{
    private static readonly ActivitySource s_source = new(HybridAITelemetry.SourceName);
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public RoutingTelemetry(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(HybridAITelemetry.MeterName) ?? new Meter(HybridAITelemetry.MeterName);
        Duration = _meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "Duration of GenAI operations served by the router.");
        TokenUsage = _meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens used by GenAI operations served by the router.");
        Cost = _meter.CreateCounter<double>("hybridai.cost", "{currency}", "Cost of the calls served, from the models' configured prices.");
        Fallbacks = _meter.CreateCounter<long>("hybridai.routing.fallbacks", "{fallback}", "Calls moved to the next model of a fallback chain.");
        Refusals = _meter.CreateCounter<long>("hybridai.routing.refusals", "{call}", "Calls no configured model could serve.");
        ShadowCalls = _meter.CreateCounter<long>("hybridai.shadow.calls", "{call}", "Shadow calls by outcome (completed, failed, dropped, skipped).");
        ShadowAgreement = _meter.CreateHistogram<double>("hybridai.shadow.agreement", "1", "Agreement between the serving model and its shadow (0 to 1).");
        ShadowDuration = _meter.CreateHistogram<double>("hybridai.shadow.duration", "s", "Duration of shadow calls.");
        ShadowCost = _meter.CreateCounter<double>("hybridai.shadow.cost", "{currency}", "Cost of shadow calls.");
    }

    public static ActivitySource Source => s_source;

    public Histogram<double> Duration { get; }

    public Histogram<long> TokenUsage { get; }

    public Counter<double> Cost { get; }

    public Counter<long> Fallbacks { get; }

    public Counter<long> Refusals { get; }

    public Counter<long> ShadowCalls { get; }

    public Histogram<double> ShadowAgreement { get; }

    public Histogram<double> ShadowDuration { get; }

    public Counter<double> ShadowCost { get; }

    public static Activity? StartCall() =>
        s_source.HasListeners() ? s_source.StartActivity("chat", ActivityKind.Client) : null;

    public void RecordSuccess(Activity? activity, RoutingCall call, ModelEntry entry, UsageDetails? usage, string? responseModel, TimeSpan duration)
    {
        var decision = call.Decision;
        var tags = new TagList
        {
            { "gen_ai.operation.name", "chat" },
            { "gen_ai.provider.name", entry.Descriptor.Provider },
            { "gen_ai.request.model", entry.Descriptor.ModelId },
            { "hybridai.route", call.Route.Name },
            { "hybridai.model", entry.Name },
        };
        if (Duration.Enabled)
        {
            Duration.Record(duration.TotalSeconds, tags);
        }

        if (usage is not null && TokenUsage.Enabled)
        {
            if (usage.InputTokenCount is { } input)
            {
                var inputTags = tags;
                inputTags.Add("gen_ai.token.type", "input");
                TokenUsage.Record(input, inputTags);
            }

            if (usage.OutputTokenCount is { } output)
            {
                var outputTags = tags;
                outputTags.Add("gen_ai.token.type", "output");
                TokenUsage.Record(output, outputTags);
            }
        }

        if (decision.Cost is { } cost && Cost.Enabled)
        {
            Cost.Add((double)cost, tags);
        }

        if (decision.FallbackCount > 0 && Fallbacks.Enabled)
        {
            Fallbacks.Add(decision.FallbackCount, tags);
        }

        if (activity is not null)
        {
            Describe(activity, call, entry);
            activity.SetTag("gen_ai.response.model", responseModel ?? entry.Descriptor.ModelId);
            activity.SetTag("gen_ai.usage.input_tokens", usage?.InputTokenCount);
            activity.SetTag("gen_ai.usage.output_tokens", usage?.OutputTokenCount);
            activity.SetTag("hybridai.cost", decision.Cost is { } c ? (double)c : null);
            activity.SetTag("hybridai.decision", decision.ToString());
        }
    }

    public void RecordFailure(Activity? activity, RoutingCall call, ModelEntry? entry, Exception exception, TimeSpan duration)
    {
        var errorType = exception is ChatModelException model ? model.Kind.ToString() : exception.GetType().FullName;
        var tags = new TagList
        {
            { "gen_ai.operation.name", "chat" },
            { "gen_ai.provider.name", entry?.Descriptor.Provider },
            { "gen_ai.request.model", entry?.Descriptor.ModelId },
            { "hybridai.route", call.Route.Name },
            { "hybridai.model", entry?.Name },
            { "error.type", errorType },
        };
        if (Duration.Enabled)
        {
            Duration.Record(duration.TotalSeconds, tags);
        }

        if (entry is null && Refusals.Enabled)
        {
            Refusals.Add(1, tags);
        }

        if (activity is not null)
        {
            if (entry is not null)
            {
                Describe(activity, call, entry);
            }

            activity.SetTag("error.type", errorType);
            activity.SetTag("hybridai.decision", call.Decision.ToString());
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static void Describe(Activity activity, RoutingCall call, ModelEntry entry)
    {
        activity.DisplayName = "chat " + entry.Descriptor.ModelId;
        activity.SetTag("gen_ai.operation.name", "chat");
        activity.SetTag("gen_ai.provider.name", entry.Descriptor.Provider);
        activity.SetTag("gen_ai.request.model", entry.Descriptor.ModelId);
        activity.SetTag("hybridai.route", call.Route.Name);
        activity.SetTag("hybridai.feature", call.Decision.Feature);
        activity.SetTag("hybridai.model", entry.Name);
        activity.SetTag("hybridai.classification", call.Classification.ToString());
        activity.SetTag("hybridai.policies", string.Join(',', call.Decision.DecidedBy));
        activity.SetTag("hybridai.fallbacks", call.Decision.FallbackCount);
    }
}
