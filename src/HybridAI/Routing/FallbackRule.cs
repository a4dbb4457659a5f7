namespace HybridAI;

/// <summary>The failure kinds on which a call moves to the next model of the fallback chain.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class FallbackRule
{
    private readonly int _mask;

    public FallbackRule(IEnumerable<ChatModelErrorKind> kinds)
    {
        foreach (var kind in kinds)
        {
            _mask |= 1 << (int)kind;
        }
    }

    /// <summary>Gets the default rule: rate limited, transient, unavailable, timeout, content filtered, context too long.</summary>
    public static FallbackRule Default { get; } = new(
    [
        ChatModelErrorKind.RateLimited, ChatModelErrorKind.Transient, ChatModelErrorKind.Unavailable,
        ChatModelErrorKind.Timeout, ChatModelErrorKind.ContentFiltered, ChatModelErrorKind.ContextTooLong,
    ]);

    public bool Allows(ChatModelErrorKind kind) => (_mask & (1 << (int)kind)) != 0;
}
