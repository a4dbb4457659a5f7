using Microsoft.Extensions.AI;

namespace HybridAI.Samples.Chat;

/// <summary>Product code: it knows <see cref="IChatModel"/> and nothing about which model serves it.</summary>
internal sealed class SupportAssistant(IChatModel model)
{
    private const string Instructions = "You are a friendly support assistant. Answer in at most three sentences.";

    /// <summary>Streams the answer to <paramref name="question"/> into <paramref name="output"/>.</summary>
    public async Task AnswerAsync(string question, TextWriter output, CancellationToken cancellationToken)
    {
        ChatMessage[] conversation = [new(ChatRole.System, Instructions), new(ChatRole.User, question)];
        var options = new ChatOptions { Temperature = 0.3f, MaxOutputTokens = 300 };

        UsageDetails? usage = null;
        await foreach (var update in model.GetStreamingResponseAsync(conversation, options, cancellationToken))
        {
            await output.WriteAsync(update.Text);
            usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync($"[{model.Descriptor.Name}: {model.Descriptor.ModelId} via {model.Descriptor.Provider}, "
            + $"{usage?.InputTokenCount ?? 0} tokens in, {usage?.OutputTokenCount ?? 0} out]");
    }
}
