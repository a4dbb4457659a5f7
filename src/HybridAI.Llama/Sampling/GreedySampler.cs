namespace HybridAI.Llama;

/// <summary>Greedy choice: the token with the highest logit, the lowest id on a tie (as llama.cpp's greedy sampler picks the first maximum).</summary>
internal static class GreedySampler
{
    /// <summary>Returns the index of the largest value; the lowest index wins a tie.</summary>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty.</exception>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("There are no logits to choose from.", nameof(logits));
        }

        var best = 0;
        var bestValue = logits[0];
        for (var i = 1; i < logits.Length; i++)
        {
            // Strictly greater keeps the first (lowest) index on a tie; NaN never wins.
            if (logits[i] > bestValue)
            {
                bestValue = logits[i];
                best = i;
            }
        }

        return best;
    }
}
