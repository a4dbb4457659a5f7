using Microsoft.Extensions.DependencyInjection;

namespace HybridAI.OpenAI.Tests;

public sealed class OpenAIServiceCollectionExtensionsTests
{
    [Fact]
    public void AddHybridAIOpenAI_CalledTwice_RegistersBothProvidersOnce()
    {
        var services = new ServiceCollection().AddHybridAIOpenAI().AddHybridAIOpenAI();

        using var provider = services.BuildServiceProvider();
        var names = provider.GetServices<IChatModelProvider>().Select(p => p.Name).Order(StringComparer.Ordinal);

        Assert.Equal(["openai", "openai-compatible"], names);
    }
}
