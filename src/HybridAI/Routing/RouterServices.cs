using Microsoft.Extensions.Logging;

namespace HybridAI;

/// <summary>The state and services that live as long as the router, across configuration reloads.</summary>
/// <remarks>Every member is thread-safe.</remarks>
internal sealed class RouterServices(TimeProvider timeProvider, RoutingUsage usage, RoutingTelemetry telemetry, ILogger logger)
{
    public TimeProvider TimeProvider { get; } = timeProvider;

    public RoutingUsage Usage { get; } = usage;

    public RoutingTelemetry Telemetry { get; } = telemetry;

    public ILogger Logger { get; } = logger;

    public LatencyTracker Latency { get; } = new();

    public BudgetTracker Budget { get; } = new(timeProvider);

    public ConversationAffinity Affinity { get; } = new(timeProvider);
}
