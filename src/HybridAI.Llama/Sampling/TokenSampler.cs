namespace HybridAI.Llama;

/// <summary>
/// Picks the next token from a row of logits with a <see cref="SamplingOptions"/> chain, in llama.cpp's default order:
/// penalties (repetition, frequency, presence over the last tokens), top-k, top-p, min-p, temperature, seeded draw.
/// </summary>
/// <remarks>
/// Buffers are sized to the vocabulary once, so <see cref="Sample"/> and <see cref="Accept(int)"/> allocate nothing.
/// Not thread-safe: one generation owns one sampler.
/// </remarks>
internal sealed class TokenSampler
{
    private readonly SamplingOptions _options;
    private readonly TokenCandidate[] _candidates;
    private readonly int[] _counts;
    private readonly int[] _window;
    private readonly SamplingRandom _random;
    private int _windowStart;
    private int _windowCount;

    /// <summary>Creates a sampler for a vocabulary of <paramref name="vocabularySize"/> tokens.</summary>
    /// <param name="vocabularySize">The number of logits each call gives.</param>
    /// <param name="options">The sampling chain; validated here.</param>
    /// <param name="seed">The seed of the draw when <see cref="SamplingOptions.Seed"/> is null.</param>
    public TokenSampler(int vocabularySize, SamplingOptions options, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _candidates = new TokenCandidate[vocabularySize];
        _counts = options.HasPenalties ? new int[vocabularySize] : [];
        _window = options.HasPenalties ? new int[options.RepetitionWindow] : [];
        _random = new SamplingRandom(options.Seed is { } fixedSeed ? unchecked((ulong)fixedSeed) : seed);
    }

    /// <summary>Gets the options this sampler applies.</summary>
    public SamplingOptions Options => _options;

    /// <summary>Records a token as seen (a prompt token or a generated one), for the penalties.</summary>
    public void Accept(int token)
    {
        if (_window.Length == 0 || (uint)token >= (uint)_counts.Length)
        {
            return;
        }

        if (_windowCount == _window.Length)
        {
            _counts[_window[_windowStart]]--;
            _window[_windowStart] = token;
            _windowStart = (_windowStart + 1) % _window.Length;
        }
        else
        {
            _window[(_windowStart + _windowCount) % _window.Length] = token;
            _windowCount++;
        }

        _counts[token]++;
    }

    /// <summary>Records several tokens as seen, in order.</summary>
    public void Accept(ReadOnlySpan<int> tokens)
    {
        // Only the last window's worth can matter.
        var start = Math.Max(0, tokens.Length - _window.Length);
        foreach (var token in tokens[start..])
        {
            Accept(token);
        }
    }

    /// <summary>Chooses the next token. Does not <see cref="Accept(int)"/> it.</summary>
    /// <param name="logits">One logit per vocabulary entry.</param>
    /// <returns>The chosen token id.</returns>
    /// <exception cref="ArgumentException"><paramref name="logits"/> does not hold one value per vocabulary entry.</exception>
    public int Sample(ReadOnlySpan<float> logits)
    {
        if (logits.Length != _candidates.Length)
        {
            throw new ArgumentException($"Expected {_candidates.Length} logits, got {logits.Length}.", nameof(logits));
        }

        var penalize = _windowCount > 0;
        if (_options.IsGreedy && !penalize)
        {
            return GreedySampler.ArgMax(logits);
        }

        var candidates = _candidates.AsSpan();
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i] = new TokenCandidate { Id = i, Logit = logits[i] };
        }

        if (penalize)
        {
            ApplyPenalties(candidates);
        }

        if (_options.IsGreedy)
        {
            return Best(candidates).Id;
        }

        var sorted = false;
        if (_options.TopK > 0 && _options.TopK < candidates.Length)
        {
            candidates = TopK(candidates, _options.TopK);
            sorted = true;
        }

        if (_options.TopP < 1.0f)
        {
            if (!sorted)
            {
                candidates.Sort(default(TokenCandidateOrder));
                sorted = true;
            }

            candidates = TopP(candidates, _options.TopP);
        }

        if (_options.MinP > 0)
        {
            candidates = MinP(candidates, _options.MinP, sorted);
        }

        ApplyTemperature(candidates, _options.Temperature);
        return Draw(candidates, _random.NextDouble());
    }

    /// <summary>Applies llama.cpp's penalties: repetition (divide a positive logit, multiply the others), then frequency and presence.</summary>
    internal void ApplyPenalties(Span<TokenCandidate> candidates)
    {
        var repeat = _options.RepetitionPenalty;
        var frequency = _options.FrequencyPenalty;
        var presence = _options.PresencePenalty;
        for (var i = 0; i < candidates.Length; i++)
        {
            ref var candidate = ref candidates[i];
            var count = _counts[candidate.Id];
            if (count == 0)
            {
                continue;
            }

            candidate.Logit = candidate.Logit <= 0 ? candidate.Logit * repeat : candidate.Logit / repeat;
            candidate.Logit -= (count * frequency) + presence;
        }
    }

    /// <summary>Returns the best candidate (highest logit, lowest id on a tie).</summary>
    internal static TokenCandidate Best(ReadOnlySpan<TokenCandidate> candidates)
    {
        var best = candidates[0];
        for (var i = 1; i < candidates.Length; i++)
        {
            if (TokenCandidateOrder.IsBetter(candidates[i], best))
            {
                best = candidates[i];
            }
        }

        return best;
    }

    /// <summary>
    /// Keeps the <paramref name="k"/> best candidates, moved to the front and sorted best first. A min-heap of size k over
    /// the rest costs O(n log k), not a full sort.
    /// </summary>
    internal static Span<TokenCandidate> TopK(Span<TokenCandidate> candidates, int k)
    {
        if (k <= 0 || k >= candidates.Length)
        {
            candidates.Sort(default(TokenCandidateOrder));
            return candidates;
        }

        // candidates[0..k) is a heap whose root is the worst kept candidate.
        var heap = candidates[..k];
        for (var i = (k / 2) - 1; i >= 0; i--)
        {
            SiftDown(heap, i);
        }

        for (var i = k; i < candidates.Length; i++)
        {
            if (TokenCandidateOrder.IsBetter(candidates[i], heap[0]))
            {
                heap[0] = candidates[i];
                SiftDown(heap, 0);
            }
        }

        heap.Sort(default(TokenCandidateOrder));
        return heap;
    }

    /// <summary>Keeps the smallest best-first prefix whose probability mass reaches <paramref name="p"/> (at least one). Needs sorted input.</summary>
    internal static Span<TokenCandidate> TopP(Span<TokenCandidate> sorted, float p)
    {
        if (p >= 1.0f)
        {
            return sorted;
        }

        Softmax(sorted);
        var cumulative = 0.0f;
        for (var i = 0; i < sorted.Length; i++)
        {
            cumulative += sorted[i].Probability;
            if (cumulative >= p)
            {
                return sorted[..(i + 1)];
            }
        }

        return sorted;
    }

    /// <summary>
    /// Keeps the candidates whose probability is at least <paramref name="p"/> times the best one's, that is whose logit is at
    /// least the best logit plus ln p (at least one kept).
    /// </summary>
    internal static Span<TokenCandidate> MinP(Span<TokenCandidate> candidates, float p, bool sorted)
    {
        if (p <= 0 || candidates.Length <= 1)
        {
            return candidates;
        }

        if (sorted)
        {
            var threshold = candidates[0].Logit + MathF.Log(p);
            var keep = 1;
            while (keep < candidates.Length && candidates[keep].Logit >= threshold)
            {
                keep++;
            }

            return candidates[..keep];
        }

        var max = float.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            max = Math.Max(max, candidate.Logit);
        }

        var minimum = max + MathF.Log(p);
        var kept = 0;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (candidates[i].Logit >= minimum)
            {
                candidates[kept++] = candidates[i];
            }
        }

        return candidates[..kept];
    }

    /// <summary>Divides every logit by <paramref name="temperature"/> (positive).</summary>
    internal static void ApplyTemperature(Span<TokenCandidate> candidates, float temperature)
    {
        if (temperature == 1.0f)
        {
            return;
        }

        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i].Logit /= temperature;
        }
    }

    /// <summary>Computes each candidate's probability from the logits (softmax over the remaining candidates).</summary>
    internal static void Softmax(Span<TokenCandidate> candidates)
    {
        var max = float.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            max = Math.Max(max, candidate.Logit);
        }

        var sum = 0.0f;
        for (var i = 0; i < candidates.Length; i++)
        {
            var e = MathF.Exp(candidates[i].Logit - max);
            candidates[i].Probability = e;
            sum += e;
        }

        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i].Probability /= sum;
        }
    }

    /// <summary>Draws one candidate with probability proportional to exp(logit), using <paramref name="uniform"/> in [0, 1).</summary>
    internal static int Draw(Span<TokenCandidate> candidates, double uniform)
    {
        Softmax(candidates);
        var target = uniform;
        var cumulative = 0.0;
        for (var i = 0; i < candidates.Length; i++)
        {
            cumulative += candidates[i].Probability;
            if (target < cumulative)
            {
                return candidates[i].Id;
            }
        }

        // Rounding can leave the sum a hair under 1: the last candidate takes the remainder.
        return candidates[^1].Id;
    }

    private static void SiftDown(Span<TokenCandidate> heap, int index)
    {
        while (true)
        {
            var worst = index;
            var left = (2 * index) + 1;
            var right = left + 1;
            if (left < heap.Length && TokenCandidateOrder.IsBetter(heap[worst], heap[left]))
            {
                worst = left;
            }

            if (right < heap.Length && TokenCandidateOrder.IsBetter(heap[worst], heap[right]))
            {
                worst = right;
            }

            if (worst == index)
            {
                return;
            }

            (heap[index], heap[worst]) = (heap[worst], heap[index]);
            index = worst;
        }
    }
}
