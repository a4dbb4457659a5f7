namespace HybridAI;

/// <summary>What the router does once a feature's budget for the period is spent.</summary>
internal enum BudgetExceededAction
{
    /// <summary>Keep serving, cheapest qualifying model first.</summary>
    PreferCheaper,

    /// <summary>Refuse every model that costs money; free (for example in-house) models still serve.</summary>
    Refuse,
}
