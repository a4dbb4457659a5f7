using Microsoft.Extensions.Logging;

namespace HybridAI;

/// <summary>The router's log messages (source-generated, so nothing is formatted when the level is off).</summary>
internal static partial class RouterLog
{
    [LoggerMessage(1, LogLevel.Debug, "Routed call: {Decision}")]
    public static partial void Routed(ILogger logger, RoutingDecision decision);

    [LoggerMessage(2, LogLevel.Warning, "Model '{Model}' failed with {Kind}; falling back to '{Next}'.")]
    public static partial void FallingBack(ILogger logger, string model, ChatModelErrorKind kind, string next);

    [LoggerMessage(3, LogLevel.Warning, "No model could serve the call: {Decision}")]
    public static partial void Refused(ILogger logger, RoutingDecision decision);

    [LoggerMessage(4, LogLevel.Error, "HybridAI configuration reload rejected; keeping the last good configuration. Problems:\n{Problems}")]
    public static partial void ReloadRejected(ILogger logger, string problems);

    [LoggerMessage(5, LogLevel.Information, "HybridAI configuration reloaded: {Models} models, {Routes} routes.")]
    public static partial void Reloaded(ILogger logger, int models, int routes);

    [LoggerMessage(6, LogLevel.Warning, "Shadow call to '{Model}' failed; the caller was not affected.")]
    public static partial void ShadowFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(7, LogLevel.Debug, "Shadow call to '{Model}' dropped: {Reason}.")]
    public static partial void ShadowDropped(ILogger logger, string model, string reason);

    [LoggerMessage(8, LogLevel.Warning, "A shadow observer failed; other observers still ran.")]
    public static partial void ObserverFailed(ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Warning, "Disposing replaced model '{Model}' failed.")]
    public static partial void DisposeFailed(ILogger logger, string model, Exception exception);
}
