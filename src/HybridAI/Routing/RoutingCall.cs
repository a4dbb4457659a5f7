using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// The router's working state for one call: the route, what the call requires, the candidates in order with those the
/// policies rejected, and the decision being written. Policies read and reorder it; the router then tries the
/// candidates that remain, in order.
/// </summary>
/// <remarks>Used by one call at a time; not thread-safe. Instances are pooled (<see cref="RoutingCallPool"/>).</remarks>
internal sealed class RoutingCall
{
    private ulong _rejected;
    private ModelEntry[] _candidates = new ModelEntry[4];

    private RoutingCall()
    {
    }

    /// <summary>Gets a call from the pool (or a new one) set up for one request.</summary>
    public static RoutingCall Rent(RoutingTable table, CompiledRoute route, ChatRoutingContext? context, DataClassification classification,
        ReadOnlySpan<ModelEntry> candidates, int primaryCount, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var call = RoutingCallPool.Get() ?? new RoutingCall();
        var count = candidates.Length;
        if (call._candidates.Length < count)
        {
            call._candidates = new ModelEntry[Math.Max(count, 4)];
        }

        candidates.CopyTo(call._candidates);
        call.Count = count;
        call.Table = table;
        call.Route = route;
        call.Context = context;
        call.Classification = classification;
        call.PrimaryCount = primaryCount;
        call.Messages = messages;
        call.Options = options;
        call.Decision = new RoutingDecision(route.Name, context?.Feature, classification);
        call.OriginProvider = null;
        call.IsPinned = false;
        call._rejected = 0;
        return call;
    }

    /// <summary>Returns the call to the pool; the caller must not use it afterwards (the decision it built lives on).</summary>
    public void Return()
    {
        Array.Clear(_candidates, 0, Count);
        Table = null!;
        Route = null!;
        Context = null;
        Messages = null!;
        Options = null;
        Decision = null!;
        RoutingCallPool.Return(this);
    }

    public RoutingTable Table { get; private set; } = null!;

    public CompiledRoute Route { get; private set; } = null!;

    public ChatRoutingContext? Context { get; private set; }

    public DataClassification Classification { get; private set; }

    /// <summary>Gets the candidates in the order they will be tried; the first <see cref="Count"/> are in use (at most 64).</summary>
    public ModelEntry[] Candidates => _candidates;

    /// <summary>Gets the number of candidates.</summary>
    public int Count { get; private set; }

    /// <summary>Gets how many leading candidates are primaries (the rest are fallbacks).</summary>
    public int PrimaryCount { get; private set; }

    public IEnumerable<ChatMessage> Messages { get; private set; } = null!;

    public ChatOptions? Options { get; private set; }

    public RoutingDecision Decision { get; private set; } = null!;

    /// <summary>
    /// Gets or sets the provider the conversation's history comes from: the one that served its last turn (from affinity)
    /// or else the first one tried in this call. A different target provider means the conversation moves.
    /// </summary>
    public string? OriginProvider { get; set; }

    /// <summary>Gets or sets a value telling whether the call pinned one model.</summary>
    public bool IsPinned { get; set; }

    /// <summary>Gets the key that keeps a conversation on one model, if any.</summary>
    public string? ConversationKey => Context?.ConversationKey ?? Options?.ConversationId;

    public bool IsRejected(int index) => (_rejected & (1UL << index)) != 0;

    public bool HasViableCandidate
    {
        get
        {
            for (var i = 0; i < Count; i++)
            {
                if (!IsRejected(i))
                {
                    return true;
                }
            }

            return false;
        }
    }

    public void Reject(int index, string policy, string reason)
    {
        if (!IsRejected(index))
        {
            _rejected |= 1UL << index;
            Decision.AddRejected(new RejectedCandidate(Candidates[index].Name, policy, reason));
        }
    }

    /// <summary>Moves a candidate to the front of its group (primaries or fallbacks), keeping the others' order.</summary>
    public void MoveToFront(int index)
    {
        var start = index < PrimaryCount ? 0 : PrimaryCount;
        if (index == start)
        {
            return;
        }

        var entry = Candidates[index];
        var rejected = IsRejected(index);
        for (var i = index; i > start; i--)
        {
            Candidates[i] = Candidates[i - 1];
            SetRejected(i, IsRejected(i - 1));
        }

        Candidates[start] = entry;
        SetRejected(start, rejected);
    }

    /// <summary>Sorts candidates [start, end) by ascending key, stably (insertion sort: lists are short).</summary>
    public void SortBy<TState>(int start, int end, TState state, Func<ModelEntry, TState, double> key)
    {
        for (var i = start + 1; i < end; i++)
        {
            var entry = Candidates[i];
            var rejected = IsRejected(i);
            var value = key(entry, state);
            var j = i - 1;
            while (j >= start && key(Candidates[j], state) > value)
            {
                Candidates[j + 1] = Candidates[j];
                SetRejected(j + 1, IsRejected(j));
                j--;
            }

            Candidates[j + 1] = entry;
            SetRejected(j + 1, rejected);
        }
    }

    public int IndexOf(string modelName)
    {
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(Candidates[i].Name, modelName, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private void SetRejected(int index, bool value)
    {
        if (value)
        {
            _rejected |= 1UL << index;
        }
        else
        {
            _rejected &= ~(1UL << index);
        }
    }
}
