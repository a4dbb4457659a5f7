namespace HybridAI;

/// <summary>
/// Weighted rendezvous (highest random weight) hashing: each key goes to the model with the best weighted score. When the
/// weights change, a key moves only if the model it moves to gained weight or the model it was on lost weight, so the
/// fewest keys move. Allocation-free.
/// </summary>
internal static class RendezvousHash
{
    /// <summary>Picks an index among <paramref name="entries"/> for <paramref name="key"/> by the given positive weights.</summary>
    public static int Pick(string key, ModelEntry[] entries, int[] weights)
    {
        var best = -1;
        var bestScore = double.NegativeInfinity;
        var keyHash = Fnv(key, 14695981039346656037UL);
        for (var i = 0; i < entries.Length; i++)
        {
            if (weights[i] <= 0)
            {
                continue;
            }

            var hash = Mix(Fnv(entries[i].Name, keyHash));

            // A uniform draw in (0, 1); score = w / -ln(u) is the weighted rendezvous score (an exponential race).
            var unit = ((hash >> 11) + 0.5) / (1UL << 53);
            var score = weights[i] / -Math.Log(unit);
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }

        return best;
    }

    /// <summary>Picks an index at random by the given weights (for calls without a sticky key).</summary>
    public static int PickRandom(int[] weights, int total)
    {
        var draw = Random.Shared.Next(total);
        for (var i = 0; i < weights.Length; i++)
        {
            draw -= weights[i];
            if (draw < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    private static ulong Fnv(string text, ulong hash)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private static ulong Mix(ulong z)
    {
        // SplitMix64 finaliser: spreads FNV's weak low bits over the whole word.
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
