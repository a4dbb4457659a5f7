using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

/// <summary>An <see cref="IChatClient"/> that answers with the delegates a test gives it and records what it was asked.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly List<(List<ChatMessage> Messages, ChatOptions? Options)> _calls = [];

    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> Respond { get; init; } =
        (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));

    public Func<IReadOnlyList<ChatMessage>, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> Stream { get; init; } =
        (_, _) => Updates([new ChatResponseUpdate(ChatRole.Assistant, "ok")]);

    public IReadOnlyList<(List<ChatMessage> Messages, ChatOptions? Options)> Calls => _calls;

    public bool Disposed { get; private set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        _calls.Add((list, options));
        return Respond(list, options, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        _calls.Add((list, options));
        return Stream(list, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => Disposed = true;

    /// <summary>Yields the updates, then throws <paramref name="failure"/> when one is given.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> Updates(
        IEnumerable<ChatResponseUpdate> updates, Exception? failure = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in updates)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return update;
        }

        if (failure is not null)
        {
            throw failure;
        }
    }
}
