using Microsoft.Extensions.AI;

namespace HybridAI.Benchmarks.Routing;

/// <summary>A model that answers at once with a fresh response (as a real adapter would), so only routing costs are measured.</summary>
internal sealed class InstantChatModel(ModelDescriptor descriptor) : IChatModel
{
    private static readonly ChatMessage s_answer = new(ChatRole.Assistant, "ok");
    private static readonly UsageDetails s_usage = new() { InputTokenCount = 12, OutputTokenCount = 3 };

    public ModelDescriptor Descriptor { get; } = descriptor;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(s_answer) { Usage = s_usage });

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
