namespace HybridAI;

/// <summary>A feature's budget as configured.</summary>
/// <param name="Limit">The most the feature may spend per period.</param>
/// <param name="Period">The period.</param>
/// <param name="PreferCheaperAt">The fraction of the limit from which cheaper models are preferred (0 to 1).</param>
/// <param name="WhenExceeded">What happens once the limit is reached.</param>
internal sealed record FeatureBudget(decimal Limit, BudgetPeriod Period, decimal PreferCheaperAt, BudgetExceededAction WhenExceeded);
