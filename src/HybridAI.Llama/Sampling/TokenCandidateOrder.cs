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

    /// <summary>
    /// The order as a cached delegate: sorting with it allocates nothing, whereas a struct comparer is boxed by the
    /// span sort on every call.
    /// </summary>
    public static Comparison<TokenCandidate> Comparison { get; } = static (x, y) => default(TokenCandidateOrder).Compare(x, y);

    /// <summary>Tells whether <paramref name="x"/> ranks strictly before <paramref name="y"/>.</summary>
    public static bool IsBetter(in TokenCandidate x, in TokenCandidate y) =>
        x.Logit > y.Logit || (x.Logit == y.Logit && x.Id < y.Id);
}
