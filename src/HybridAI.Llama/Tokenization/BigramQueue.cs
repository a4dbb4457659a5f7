namespace HybridAI.Llama;

/// <summary>
/// A binary max-heap of <see cref="Bigram"/>: the highest priority first, and on equal priority the leftmost, which is
/// the order llama.cpp's <c>llm_bigram_spm</c> / <c>llm_bigram_bpe</c> comparators give.
/// </summary>
/// <remarks>Reused across calls (no allocation once grown); not thread-safe.</remarks>
internal sealed class BigramQueue
{
    private Bigram[] _items = new Bigram[64];
    private int _count;

    /// <summary>Gets the number of queued bigrams.</summary>
    public int Count => _count;

    /// <summary>Removes every bigram.</summary>
    public void Clear() => _count = 0;

    /// <summary>Adds a bigram.</summary>
    public void Push(in Bigram item)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _count * 2);
        }

        var i = _count++;
        var items = _items;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Before(item, items[parent]))
            {
                break;
            }

            items[i] = items[parent];
            i = parent;
        }

        items[i] = item;
    }

    /// <summary>Removes and returns the best bigram; the queue must not be empty.</summary>
    public Bigram Pop()
    {
        var items = _items;
        var top = items[0];
        var last = items[--_count];
        var n = _count;
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && Before(items[child + 1], items[child]))
            {
                child++;
            }

            if (!Before(items[child], last))
            {
                break;
            }

            items[i] = items[child];
            i = child;
        }

        if (n > 0)
        {
            items[i] = last;
        }

        return top;
    }

    private static bool Before(in Bigram a, in Bigram b) =>
        a.Priority > b.Priority || (a.Priority == b.Priority && a.Left < b.Left);
}
