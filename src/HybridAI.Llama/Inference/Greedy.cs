namespace HybridAI.Llama;

/// <summary>Greedy choice as llama.cpp makes it: the highest logit, ties broken toward the lowest id.</summary>
internal static class Greedy
{
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        var max = float.NegativeInfinity;
        for (var i = 0; i < logits.Length; i++)
        {
            if (logits[i] > max)
            {
                max = logits[i];
                best = i;
            }
        }

        return best;
    }
}
