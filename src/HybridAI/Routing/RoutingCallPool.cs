namespace HybridAI;

/// <summary>
/// A small lock-free pool of <see cref="RoutingCall"/> objects, so that routing a call allocates only what outlives it (the
/// decision). When the pool is empty a new call is made; when it is full a returned call is left to the GC.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal static class RoutingCallPool
{
    private static readonly RoutingCall?[] s_slots = new RoutingCall?[Math.Clamp(Environment.ProcessorCount * 4, 16, 256)];

    public static RoutingCall? Get()
    {
        var slots = s_slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is not null && Interlocked.Exchange(ref slots[i], null) is { } call)
            {
                return call;
            }
        }

        return null;
    }

    public static void Return(RoutingCall call)
    {
        var slots = s_slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], call, null) is null)
            {
                return;
            }
        }
    }
}
