using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// The router's working state for one call: the route, what the call requires, the candidates in order with those the
/// policies rejected, and the decision being written. Policies read and reorder it; the router then tries the
/// candidates that remain, in order.
/// </summary>
/// <remarks>Used by one call at a time; not thread-safe.</remarks>
internal sealed class RoutingCall
{
    private ulong _rejected;

    public RoutingCall(RoutingTable table, CompiledRoute route, ChatRoutingContext? context, DataClassification classification,
        ModelEntry[] candidates, int primaryCount, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        Table = table;
        Route = route;
        Context = context;
        Classification = classification;
        Candidates = candidates;
        PrimaryCount = primaryCount;
        Messages = messages;
        Options = options;
        Decision = new RoutingDecision(route.Name, context?.Feature, classification);
    }

    public RoutingTable Table { get; }

    public CompiledRoute Route { get; }

    public ChatRoutingContext? Context { get; }

    public DataClassification Classification { get; }

    /// <summary>Gets the candidates in the order they will be tried (at most 64).</summary>
    public ModelEntry[] Candidates { get; }

    /// <summary>Gets how many leading candidates are primaries (the rest are fallbacks).</summary>
    public int PrimaryCount { get; }

    public IEnumerable<ChatMessage> Messages { get; }

    public ChatOptions? Options { get; }

    public RoutingDecision Decision { get; }

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
            for (var i = 0; i < Candidates.Length; i++)
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
        for (var i = 0; i < Candidates.Length; i++)
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
