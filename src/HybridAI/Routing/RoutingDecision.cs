using System.Text;

namespace HybridAI;

/// <summary>
/// Why a call went where it went: the route, the model that served it, the policies that decided, the candidates they
/// rejected and why, and every model tried. Reach it from a response with
/// <see cref="RoutingDecisionExtensions.GetRoutingDecision(Microsoft.Extensions.AI.ChatResponse)"/>.
/// </summary>
/// <remarks>
/// The router fills a decision while it serves the call and does not change it after the call returns (for streaming,
/// after the stream ends). Read it from one thread at a time while the call is in flight.
/// </remarks>
public sealed class RoutingDecision
{
    private static readonly IReadOnlyList<RejectedCandidate> s_noRejections = [];
    private readonly List<string> _decidedBy = new(4);
    private readonly List<RoutingAttempt> _attempts = new(1);
    private List<RejectedCandidate>? _rejected;

    internal RoutingDecision(string route, string? feature, DataClassification classification)
    {
        Route = route;
        Feature = feature;
        Classification = classification;
    }

    /// <summary>Gets the route that served the call: <c>"default"</c> or a feature's name.</summary>
    public string Route { get; }

    /// <summary>Gets the feature named by the call's routing context, if any.</summary>
    public string? Feature { get; }

    /// <summary>Gets the data classification the router enforced.</summary>
    public DataClassification Classification { get; }

    /// <summary>Gets the name of the model that served the call, or null when none did.</summary>
    public string? ChosenModel { get; private set; }

    /// <summary>Gets the provider of the model that served the call, or null when none did.</summary>
    public string? ChosenProvider { get; private set; }

    /// <summary>Gets the policies that shaped the choice, in the order they ran.</summary>
    public IReadOnlyList<string> DecidedBy => _decidedBy;

    /// <summary>Gets the candidates that were rejected before any call, and why.</summary>
    public IReadOnlyList<RejectedCandidate> Rejected => _rejected ?? s_noRejections;

    /// <summary>Gets every model the call was sent to, in order; all but the last failed over to the next.</summary>
    public IReadOnlyList<RoutingAttempt> Attempts => _attempts;

    /// <summary>Gets the shadow model that received a copy of the call, if one did.</summary>
    public string? ShadowModel { get; internal set; }

    /// <summary>Gets the input tokens the serving model reported, when it did.</summary>
    public long? InputTokens { get; private set; }

    /// <summary>Gets the output tokens the serving model reported, when it did.</summary>
    public long? OutputTokens { get; private set; }

    /// <summary>Gets the cost of the call, when the model's price and the token counts are known.</summary>
    public decimal? Cost { get; private set; }

    /// <summary>Gets the number of fallbacks taken (attempts after the first).</summary>
    public int FallbackCount => Math.Max(0, _attempts.Count - 1);

    /// <summary>Describes the decision in one line, for logs.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("route=").Append(Route)
            .Append(" classification=").Append(Classification)
            .Append(" model=").Append(ChosenModel ?? "(none)")
            .Append(" policies=[").AppendJoin(',', _decidedBy).Append(']');
        if (_rejected is { Count: > 0 })
        {
            text.Append(" rejected=[");
            for (var i = 0; i < _rejected.Count; i++)
            {
                text.Append(i == 0 ? string.Empty : "; ").Append(_rejected[i].Model).Append(" by ")
                    .Append(_rejected[i].Policy).Append(": ").Append(_rejected[i].Reason);
            }

            text.Append(']');
        }

        if (_attempts.Count > 1)
        {
            text.Append(" attempts=[");
            for (var i = 0; i < _attempts.Count; i++)
            {
                text.Append(i == 0 ? string.Empty : ", ").Append(_attempts[i].Model).Append(':')
                    .Append(_attempts[i].ErrorKind?.ToString() ?? "ok");
            }

            text.Append(']');
        }

        return text.ToString();
    }

    internal void AddDecidedBy(string policy)
    {
        if (!_decidedBy.Contains(policy))
        {
            _decidedBy.Add(policy);
        }
    }

    internal void AddRejected(RejectedCandidate rejected) => (_rejected ??= []).Add(rejected);

    internal void AddAttempt(RoutingAttempt attempt)
    {
        _attempts.Add(attempt);
        if (attempt.Succeeded)
        {
            ChosenModel = attempt.Model;
            ChosenProvider = attempt.Provider;
        }
    }

    internal void SetUsage(long? inputTokens, long? outputTokens, decimal? cost)
    {
        InputTokens = inputTokens;
        OutputTokens = outputTokens;
        Cost = cost;
    }
}
