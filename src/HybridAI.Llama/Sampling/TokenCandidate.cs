namespace HybridAI.Llama;

/// <summary>One token still in the running while a sampler narrows the vocabulary, with its logit and, once computed, its probability.</summary>
internal struct TokenCandidate
{
    /// <summary>The token id.</summary>
    public int Id;

    /// <summary>The token's logit after the transformations applied so far.</summary>
    public float Logit;

    /// <summary>The token's probability among the remaining candidates, valid after a softmax.</summary>
    public float Probability;
}
