namespace HybridAI.Llama;

/// <summary>
/// The contexts (KV caches) of one model, shared by its calls: at most <c>capacity</c> calls generate at once, each with a
/// context of its own; the others wait in arrival order. Contexts are created on first need and keep their tokens between
/// calls, so a call is given the idle context that shares the longest prefix with its prompt.
/// </summary>
/// <remarks>
/// Thread-safe. A call does <see cref="WaitTurnAsync"/>, then <see cref="Take"/>, then <see cref="Return"/> and
/// <see cref="EndTurn"/> (in that order, in <c>finally</c> blocks).
/// </remarks>
internal sealed class LlamaContextPool : IDisposable
{
    private readonly Func<ITokenDecoder> _factory;
    private readonly int _capacity;
    private readonly SemaphoreSlim _turns;
    private readonly List<ITokenDecoder> _idle = [];
    private readonly Lock _lock = new();
    private int _created;
    private bool _disposed;

    /// <summary>Creates a pool of at most <paramref name="capacity"/> contexts made by <paramref name="factory"/>.</summary>
    public LlamaContextPool(Func<ITokenDecoder> factory, int capacity)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _factory = factory;
        _capacity = capacity;
        _turns = new SemaphoreSlim(capacity, capacity);
    }

    /// <summary>Gets how many contexts exist.</summary>
    public int Created
    {
        get
        {
            lock (_lock)
            {
                return _created;
            }
        }
    }

    /// <summary>Waits until a context is free. Waiters are served first come, first served.</summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting; the turn is not taken.</exception>
    public Task WaitTurnAsync(CancellationToken cancellationToken) => _turns.WaitAsync(cancellationToken);

    /// <summary>Ends a turn taken with <see cref="WaitTurnAsync"/>.</summary>
    public void EndTurn() => _turns.Release();

    /// <summary>Takes the idle context best suited to <paramref name="prompt"/>, creating one when none is idle.</summary>
    /// <remarks>Call only during a turn, so that a context is always available.</remarks>
    public ITokenDecoder Take(ReadOnlySpan<int> prompt)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var best = -1;
            var bestShared = -1;
            for (var i = 0; i < _idle.Count; i++)
            {
                var shared = _idle[i].Tokens.CommonPrefixLength(prompt);
                if (shared > bestShared)
                {
                    best = i;
                    bestShared = shared;
                }
            }

            // Keep other conversations' caches when a fresh context can be made and nothing is shared.
            if (best >= 0 && (bestShared > 0 || _created >= _capacity))
            {
                var decoder = _idle[best];
                _idle.RemoveAt(best);
                return decoder;
            }

            var created = _factory();
            _created++;
            return created;
        }
    }

    /// <summary>Gives a context back after a call, with the tokens it now holds.</summary>
    public void Return(ITokenDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        lock (_lock)
        {
            if (_disposed)
            {
                (decoder as IDisposable)?.Dispose();
                return;
            }

            _idle.Add(decoder);
        }
    }

    /// <summary>Disposes the idle contexts; contexts still in use are disposed when returned.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var decoder in _idle)
            {
                (decoder as IDisposable)?.Dispose();
            }

            _idle.Clear();
        }
    }
}
