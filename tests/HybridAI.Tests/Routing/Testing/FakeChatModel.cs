using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

/// <summary>A scriptable model: answers with its name (or a set reply), or fails as told, and records every call it receives.</summary>
internal sealed class FakeChatModel(ModelDescriptor descriptor) : IChatModel
{
    public ModelDescriptor Descriptor { get; } = descriptor;

    public ConcurrentQueue<(ChatMessage[] Messages, ChatOptions? Options)> Calls { get; } = new();

    /// <summary>Gets or sets a failure thrown by every call (before any output), or null.</summary>
    public Func<Exception>? Failure { get; set; }

    /// <summary>Gets or sets failures thrown by the next calls, one per call, before <see cref="Failure"/> applies.</summary>
    public ConcurrentQueue<Exception> NextFailures { get; } = new();

    /// <summary>Gets or sets the answer's text; defaults to the model's name.</summary>
    public string? Reply { get; set; }

    /// <summary>Gets or sets a task the call waits for before answering (to make a model slow).</summary>
    public Func<CancellationToken, Task>? Delay { get; set; }

    /// <summary>Gets or sets the streaming chunks; defaults to the reply split into two.</summary>
    public string[]? Chunks { get; set; }

    /// <summary>Gets or sets after how many streamed chunks the stream fails, or null.</summary>
    public int? FailStreamAfter { get; set; }

    public int InputTokens { get; set; } = 10;

    public int OutputTokens { get; set; } = 5;

    public bool Disposed { get; private set; }

    public int CallCount => Calls.Count;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(([.. messages], options));
        if (Delay is { } delay)
        {
            await delay(cancellationToken);
        }

        ThrowIfFailing();
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, Reply ?? Descriptor.Name))
        {
            ModelId = Descriptor.ModelId,
            Usage = new UsageDetails { InputTokenCount = InputTokens, OutputTokenCount = OutputTokens, TotalTokenCount = InputTokens + OutputTokens },
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(([.. messages], options));
        if (Delay is { } delay)
        {
            await delay(cancellationToken);
        }

        ThrowIfFailing();
        var chunks = Chunks ?? [Descriptor.Name[..(Descriptor.Name.Length / 2)], Descriptor.Name[(Descriptor.Name.Length / 2)..]];
        for (var i = 0; i < chunks.Length; i++)
        {
            if (FailStreamAfter == i)
            {
                throw new ChatModelException(ChatModelErrorKind.Transient, Descriptor.Name, "stream broke");
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, chunks[i]) { ModelId = Descriptor.ModelId };
        }

        yield return new ChatResponseUpdate
        {
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = InputTokens, OutputTokenCount = OutputTokens })],
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => Disposed = true;

    private void ThrowIfFailing()
    {
        if (NextFailures.TryDequeue(out var next))
        {
            throw next;
        }

        if (Failure is { } failure)
        {
            throw failure();
        }
    }
}
