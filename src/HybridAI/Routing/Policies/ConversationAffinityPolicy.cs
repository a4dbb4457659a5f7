namespace HybridAI;

/// <summary>
/// Keeps a conversation on the model that served its last turn, as long as that model is still a candidate of the route
/// and passes the filters; otherwise the conversation moves and its history is carried in provider-neutral form.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ConversationAffinityPolicy(ConversationAffinity affinity) : IRoutingPolicy
{
    public string Name => "conversation-affinity";

    public void Apply(RoutingCall call)
    {
        if (call.ConversationKey is not { } key || affinity.Get(key) is not { } previous)
        {
            return;
        }

        call.OriginProvider = previous.Provider;
        var index = call.IndexOf(previous.Model);
        if (index > 0 && !call.IsRejected(index))
        {
            call.MoveToFront(index);
            if (index >= call.PrimaryCount)
            {
                // The conversation sits on a fallback: put that fallback before the primaries too.
                MoveFallbackFirst(call);
            }

            call.Decision.AddDecidedBy(Name);
        }
        else if (index == 0)
        {
            call.Decision.AddDecidedBy(Name);
        }
    }

    private static void MoveFallbackFirst(RoutingCall call)
    {
        var first = call.Candidates[call.PrimaryCount];
        call.SortBy(0, call.Count, first, static (entry, pinned) => ReferenceEquals(entry, pinned) ? 0 : 1);
    }
}
