using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// One configured model, as registered as a keyed service: every call goes through the router pinned to that model, so the
/// data boundary, resilience, telemetry and the routing decision apply, and a configuration reload that rebuilds the model
/// is picked up.
/// </summary>
/// <remarks>Thread-safe. Disposing it does nothing: the router owns the model.</remarks>
internal sealed class PinnedChatModel(HybridRouter router, string name) : IChatModel
{
    public ModelDescriptor Descriptor =>
        router.Table.Models.TryGetValue(name, out var entry) ? entry.Descriptor : new ModelDescriptor(name, "unknown");

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return router.GetResponseCoreAsync(messages, options, name, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return router.GetStreamingResponseCoreAsync(messages, options, name, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : serviceKey is null && serviceType == typeof(ModelDescriptor) ? Descriptor
            : null;
    }

    public void Dispose()
    {
    }
}
