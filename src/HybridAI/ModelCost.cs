namespace HybridAI;

/// <summary>The price of a model, per million tokens, in the currency the company budgets in.</summary>
/// <param name="InputPerMillionTokens">Price of one million input (prompt) tokens.</param>
/// <param name="OutputPerMillionTokens">Price of one million output (generated) tokens.</param>
public sealed record ModelCost(decimal InputPerMillionTokens, decimal OutputPerMillionTokens)
{
    /// <summary>A model that costs nothing per token (for example the in-house model running in process).</summary>
    public static ModelCost Free { get; } = new(0m, 0m);

    /// <summary>Computes the cost of one call from its token counts.</summary>
    /// <param name="inputTokens">Input (prompt) tokens.</param>
    /// <param name="outputTokens">Output (generated) tokens.</param>
    /// <returns>The cost of the call.</returns>
    public decimal Compute(long inputTokens, long outputTokens) =>
        ((inputTokens * InputPerMillionTokens) + (outputTokens * OutputPerMillionTokens)) / 1_000_000m;
}
