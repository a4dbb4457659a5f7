namespace HybridAI;

/// <summary>Calls, tokens and cost accumulated for one model or one feature.</summary>
/// <param name="Calls">Calls served.</param>
/// <param name="InputTokens">Input tokens reported by the models.</param>
/// <param name="OutputTokens">Output tokens reported by the models.</param>
/// <param name="Cost">Cost computed from the models' prices (calls whose price is unknown add nothing).</param>
public readonly record struct UsageTotals(long Calls, long InputTokens, long OutputTokens, decimal Cost);
