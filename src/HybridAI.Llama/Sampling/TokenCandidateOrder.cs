namespace HybridAI.Llama;

/// <summary>Orders candidates best first: higher logit first, and the lower id first on a tie (deterministic, like llama.cpp's greedy choice).</summary>
internal readonly struct TokenCandidateOrder : IComparer<TokenCandidate>
{
    /// <inheritdoc />
    public int Compare(TokenCandidate x, TokenCandidate y)
    {
        if (x.Logit > y.Logit)
        {
            return -1;
        }

        if (x.Logit < y.Logit)
        {
            return 1;
        }

        return x.Id.CompareTo(y.Id);
    }

    /// <summary>Tells whether <paramref name="x"/> ranks strictly before <paramref name="y"/>.</summary>
    public static bool IsBetter(in TokenCandidate x, in TokenCandidate y) =>
        x.Logit > y.Logit || (x.Logit == y.Logit && x.Id < y.Id);
}
