namespace HybridAI;

/// <summary>The period a feature's budget applies to; periods start on UTC boundaries.</summary>
internal enum BudgetPeriod
{
    Hour,
    Day,
    Week,
    Month,
}
