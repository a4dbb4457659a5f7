using System.Collections.Concurrent;

namespace HybridAI;

/// <summary>Tracks what each feature spent in the current budget period, with time from an injected <see cref="TimeProvider"/>.</summary>
/// <remarks>Thread-safe. Spending is kept in memory for the life of the router (it survives configuration reloads).</remarks>
internal sealed class BudgetTracker(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.OrdinalIgnoreCase);

    public decimal GetSpent(string feature, BudgetPeriod period) =>
        _accounts.TryGetValue(feature, out var account) ? account.Spent(PeriodStart(period)) : 0m;

    public void Add(string feature, BudgetPeriod period, decimal cost)
    {
        if (cost <= 0m)
        {
            return;
        }

        _accounts.GetOrAdd(feature, static _ => new Account()).Add(PeriodStart(period), cost);
    }

    internal DateTimeOffset PeriodStart(BudgetPeriod period)
    {
        var now = timeProvider.GetUtcNow();
        return period switch
        {
            BudgetPeriod.Hour => new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero),
            BudgetPeriod.Day => new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero),
            BudgetPeriod.Week => new DateTimeOffset(now.Date.AddDays(-(((int)now.DayOfWeek + 6) % 7)), TimeSpan.Zero),
            _ => new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero),
        };
    }

    private sealed class Account
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _periodStart;
        private decimal _spent;

        public decimal Spent(DateTimeOffset periodStart)
        {
            lock (_lock)
            {
                return _periodStart == periodStart ? _spent : 0m;
            }
        }

        public void Add(DateTimeOffset periodStart, decimal cost)
        {
            lock (_lock)
            {
                if (_periodStart != periodStart)
                {
                    _periodStart = periodStart;
                    _spent = 0m;
                }

                _spent += cost;
            }
        }
    }
}
