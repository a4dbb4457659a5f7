namespace HybridAI;

/// <summary>
/// Applies a feature's budget for the current period: past the soft threshold it orders the candidates cheapest first;
/// past the limit it either keeps preferring cheaper models or refuses every model that costs money, as configured.
/// </summary>
/// <remarks>Thread-safe; spending is tracked by <see cref="BudgetTracker"/>, which survives configuration reloads.</remarks>
internal sealed class BudgetPolicy(BudgetTracker tracker) : IRoutingPolicy
{
    public string Name => "budget";

    public void Apply(RoutingCall call)
    {
        if (call.Context?.Feature is not { } feature || !call.Table.Budgets.TryGetValue(feature, out var budget))
        {
            return;
        }

        var spent = tracker.GetSpent(feature, budget.Period);
        if (spent >= budget.Limit && budget.WhenExceeded == BudgetExceededAction.Refuse)
        {
            for (var i = 0; i < call.Count; i++)
            {
                if (call.Candidates[i].Price != 0m)
                {
                    call.Reject(i, Name, $"budget of feature '{feature}' is spent ({spent:0.####} of {budget.Limit:0.####} this {budget.Period})");
                }
            }

            call.Decision.AddDecidedBy(Name);
        }
        else if (spent >= budget.Limit * budget.PreferCheaperAt)
        {
            call.SortBy(0, call.Count, 0, static (entry, _) => (double)entry.Price);
            call.Decision.AddDecidedBy(Name);
        }
    }
}
