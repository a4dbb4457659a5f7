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

    // The common call records a few policies and one attempt; they are kept in fields, not lists, so that routing stays
    // within its allocation budget. The public lists are built when read.
    private string? _policy0, _policy1, _policy2, _policy3;
    private List<string>? _morePolicies;
    private int _policyCount;
    private string? _firstModel, _firstProvider;
    private TimeSpan _firstDuration;
    private ChatModelErrorKind? _firstKind;
    private List<RoutingAttempt>? _moreAttempts;
    private int _attemptCount;
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
    public IReadOnlyList<string> DecidedBy
    {
        get
        {
            var policies = new List<string>(_policyCount);
            for (var i = 0; i < _policyCount; i++)
            {
                policies.Add(PolicyAt(i));
            }

            return policies;
        }
    }

    /// <summary>Gets the candidates that were rejected before any call, and why.</summary>
    public IReadOnlyList<RejectedCandidate> Rejected => _rejected ?? s_noRejections;

    /// <summary>Gets every model the call was sent to, in order; all but the last failed over to the next.</summary>
    public IReadOnlyList<RoutingAttempt> Attempts
    {
        get
        {
            var attempts = new List<RoutingAttempt>(_attemptCount);
            if (_attemptCount > 0)
            {
                attempts.Add(new RoutingAttempt(_firstModel!, _firstProvider!, _firstDuration, _firstKind));
            }

            if (_moreAttempts is not null)
            {
                attempts.AddRange(_moreAttempts);
            }

            return attempts;
        }
    }

    /// <summary>Gets the shadow model that received a copy of the call, if one did.</summary>
    public string? ShadowModel { get; internal set; }

    /// <summary>Gets the input tokens the serving model reported, when it did.</summary>
    public long? InputTokens { get; private set; }

    /// <summary>Gets the output tokens the serving model reported, when it did.</summary>
    public long? OutputTokens { get; private set; }

    /// <summary>Gets the cost of the call, when the model's price and the token counts are known.</summary>
    public decimal? Cost { get; private set; }

    /// <summary>Gets the number of fallbacks taken (attempts after the first).</summary>
    public int FallbackCount => Math.Max(0, _attemptCount - 1);

    /// <summary>Describes the decision in one line, for logs.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("route=").Append(Route)
            .Append(" classification=").Append(Classification)
            .Append(" model=").Append(ChosenModel ?? "(none)")
            .Append(" policies=[").AppendJoin(',', DecidedBy).Append(']');
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

        if (_attemptCount > 1)
        {
            text.Append(" attempts=[");
            var attempts = Attempts;
            for (var i = 0; i < attempts.Count; i++)
            {
                text.Append(i == 0 ? string.Empty : ", ").Append(attempts[i].Model).Append(':')
                    .Append(attempts[i].ErrorKind?.ToString() ?? "ok");
            }

            text.Append(']');
        }

        return text.ToString();
    }

    internal void AddDecidedBy(string policy)
    {
        for (var i = 0; i < _policyCount; i++)
        {
            if (ReferenceEquals(PolicyAt(i), policy) || string.Equals(PolicyAt(i), policy, StringComparison.Ordinal))
            {
                return;
            }
        }

        switch (_policyCount)
        {
            case 0: _policy0 = policy; break;
            case 1: _policy1 = policy; break;
            case 2: _policy2 = policy; break;
            case 3: _policy3 = policy; break;
            default: (_morePolicies ??= []).Add(policy); break;
        }

        _policyCount++;
    }

    internal void AddRejected(RejectedCandidate rejected) => (_rejected ??= []).Add(rejected);

    internal void AddAttempt(string model, string provider, TimeSpan duration, ChatModelErrorKind? errorKind)
    {
        if (_attemptCount == 0)
        {
            (_firstModel, _firstProvider, _firstDuration, _firstKind) = (model, provider, duration, errorKind);
        }
        else
        {
            (_moreAttempts ??= []).Add(new RoutingAttempt(model, provider, duration, errorKind));
        }

        _attemptCount++;
        if (errorKind is null)
        {
            ChosenModel = model;
            ChosenProvider = provider;
        }
    }

    private string PolicyAt(int index) => index switch
    {
        0 => _policy0!,
        1 => _policy1!,
        2 => _policy2!,
        3 => _policy3!,
        _ => _morePolicies![index - 4],
    };

    internal void SetUsage(long? inputTokens, long? outputTokens, decimal? cost)
    {
        InputTokens = inputTokens;
        OutputTokens = outputTokens;
        Cost = cost;
    }
}
