namespace HybridAI.Llama;

/// <summary>
/// The rows of a memory-bound product split into one share per thread, as <see cref="ComputePool"/> splits items: each thread
/// streams its own share front to back a chunk at a time, then takes what is left of the others' shares from their back
/// ends. A thread that starts late or runs slow (a core shared with a busy host) is helped instead of waited for, while each
/// thread still reads long contiguous runs of weights.
/// </summary>
/// <remarks>
/// <see cref="Plan"/> runs before the threads start; <see cref="TakeNext"/> is thread-safe (one compare-and-swap per chunk) and
/// hands out every row exactly once. Allocation-free once the largest thread count has been planned.
/// </remarks>
internal sealed class RowShares
{
    /// <summary>Longs per share: one cache line, so that two threads' shares never share one.</summary>
    private const int Slot = 8;

    // Per share, the rows not yet taken, packed as (front << 32) | back.
    private long[] _shares = new long[Slot];
    private int _count;
    private int _chunk;

    /// <summary>Splits [0, <paramref name="rows"/>) into <paramref name="threads"/> shares taken <paramref name="chunk"/> rows at a time.</summary>
    public void Plan(int threads, int rows, int chunk)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunk);
        if (_shares.Length < threads * Slot)
        {
            _shares = new long[threads * Slot];
        }

        for (var t = 0; t < threads; t++)
        {
            _shares[t * Slot] = Pack((int)((long)rows * t / threads), (int)((long)rows * (t + 1) / threads));
        }

        _count = threads;
        _chunk = chunk;
    }

    /// <summary>
    /// The next rows for thread <paramref name="threadIndex"/>: a chunk from the front of its own share while any is left, then
    /// chunks from the back of the other shares; false when every row has been taken.
    /// </summary>
    public bool TakeNext(int threadIndex, out int start, out int end)
    {
        if (Take(threadIndex, fromBack: false, out start, out end))
        {
            return true;
        }

        for (var k = 1; k < _count; k++)
        {
            if (Take((threadIndex + k) % _count, fromBack: true, out start, out end))
            {
                return true;
            }
        }

        return false;
    }

    private static long Pack(int front, int back) => ((long)front << 32) | (uint)back;

    private bool Take(int share, bool fromBack, out int start, out int end)
    {
        ref var slot = ref _shares[share * Slot];
        while (true)
        {
            var old = Volatile.Read(ref slot);
            var front = (int)(old >> 32);
            var back = (int)old;
            if (front >= back)
            {
                start = end = 0;
                return false;
            }

            (start, end) = fromBack ? (Math.Max(front, back - _chunk), back) : (front, Math.Min(back, front + _chunk));
            if (Interlocked.CompareExchange(ref slot, fromBack ? Pack(front, start) : Pack(end, back), old) == old)
            {
                return true;
            }
        }
    }
}
