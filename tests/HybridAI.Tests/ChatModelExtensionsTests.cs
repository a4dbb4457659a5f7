using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

public sealed class ChatModelExtensionsTests
{
    private static readonly ModelDescriptor s_descriptor = new("support", "ollama", "llama3.1:8b") { Locality = ModelLocality.InHouse };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AsChatModel_WithDescriptor_ForwardsMessagesAndOptions()
    {
        var client = new ScriptedChatClient
        {
            Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Bonjour"))
            {
                Usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 2 },
            }),
        };
        using var model = client.AsChatModel(s_descriptor);
        var options = new ChatOptions { Temperature = 0.1f, MaxOutputTokens = 10, Seed = 7, StopSequences = ["."] };

        var response = await model.GetResponseAsync("Say hello in French", options, Ct);

        Assert.Equal("Bonjour", response.Text);
        Assert.Equal(5, response.Usage?.InputTokenCount);
        Assert.Same(s_descriptor, model.Descriptor);
        var call = Assert.Single(client.Calls);
        Assert.Equal("Say hello in French", Assert.Single(call.Messages).Text);
        Assert.Same(options, call.Options);
    }

    [Fact]
    public void AsChatModel_ClientAlreadyAModel_ReturnsIt()
    {
        using var model = new ScriptedChatClient().AsChatModel(s_descriptor);

        Assert.Same(model, ((IChatClient)model).AsChatModel());
    }

    [Fact]
    public async Task AsChatModel_PipelineBuiltAroundModel_DiscoversDescriptorAndKeepsMiddleware()
    {
        var client = new ScriptedChatClient();
        using var pipeline = client.AsChatModel(s_descriptor).AsBuilder().UseFunctionInvocation().Build();

        using var model = pipeline.AsChatModel();
        await model.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Same(s_descriptor, model.Descriptor);
        Assert.Same(s_descriptor, pipeline.GetModelDescriptor());
        Assert.Same(s_descriptor, pipeline.GetService<ModelDescriptor>());
        Assert.NotNull(model.GetService<FunctionInvokingChatClient>());
        Assert.Single(client.Calls);
    }

    [Fact]
    public void AsChatModel_ClientWithoutDescriptor_ThrowsInvalidOperation()
    {
        using var client = new ScriptedChatClient();

        var ex = Assert.Throws<InvalidOperationException>(() => client.AsChatModel());

        Assert.Contains("ModelDescriptor", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetModelDescriptor_PlainClient_ReturnsNull()
    {
        using var client = new ScriptedChatClient();

        Assert.Null(client.GetModelDescriptor());
    }

    [Fact]
    public void AsChatModel_NullArguments_Throw()
    {
        using var client = new ScriptedChatClient();

        Assert.Throws<ArgumentNullException>(() => ((IChatClient)null!).AsChatModel(s_descriptor));
        Assert.Throws<ArgumentNullException>(() => client.AsChatModel(null!));
        Assert.Throws<ArgumentNullException>(() => ((IChatClient)null!).AsChatModel());
        Assert.Throws<ArgumentNullException>(() => ((IChatClient)null!).GetModelDescriptor());
    }
}
