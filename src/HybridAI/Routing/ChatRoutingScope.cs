namespace HybridAI;

/// <summary>
/// Sets a <see cref="ChatRoutingContext"/> for every call made in the current asynchronous flow, for code that cannot
/// reach the <c>ChatOptions</c> of each call (for example calls made inside MEAI middleware or a library).
/// </summary>
/// <remarks>
/// The scope flows with <see cref="AsyncLocal{T}"/>: it follows <c>await</c> and tasks started inside it, and ends when
/// the returned handle is disposed. Scopes nest; disposing restores the outer one. A context on the call's
/// <c>ChatOptions</c> takes precedence over the scope.
/// </remarks>
public static class ChatRoutingScope
{
    private static readonly AsyncLocal<ChatRoutingContext?> s_current = new();

    /// <summary>Gets the context of the innermost active scope, or null.</summary>
    public static ChatRoutingContext? Current => s_current.Value;

    /// <summary>Starts a scope.</summary>
    /// <param name="context">The routing context for calls made inside the scope.</param>
    /// <returns>A handle that ends the scope when disposed.</returns>
    public static IDisposable Begin(ChatRoutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var previous = s_current.Value;
        s_current.Value = context;
        return new Handle(previous);
    }

    private sealed class Handle(ChatRoutingContext? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                s_current.Value = previous;
            }
        }
    }
}
