namespace HybridAI;

/// <summary>
/// Names under which the router publishes OpenTelemetry data. Subscribe with
/// <c>AddSource(HybridAITelemetry.SourceName)</c> and <c>AddMeter(HybridAITelemetry.MeterName)</c>.
/// </summary>
/// <remarks>
/// Spans and metrics follow the OpenTelemetry GenAI semantic conventions (<c>gen_ai.operation.name</c>,
/// <c>gen_ai.provider.name</c>, <c>gen_ai.request.model</c>, <c>gen_ai.usage.input_tokens</c>,
/// <c>gen_ai.usage.output_tokens</c>, <c>gen_ai.client.operation.duration</c>, <c>gen_ai.client.token.usage</c>) and add
/// HybridAI's own attributes, prefixed <c>hybridai.</c>: route, feature, classification, policies, fallbacks and cost.
/// </remarks>
public static class HybridAITelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> and of the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string SourceName = "HybridAI";

    /// <summary>The name of the meter (the same as <see cref="SourceName"/>).</summary>
    public const string MeterName = SourceName;
}
