using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HybridAI.Llama.Tests;

public sealed class LlamaChatModelProviderTests
{
    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>($"HybridAI:Models:local:{v.Key}", v.Value)))
            .Build()
            .GetSection("HybridAI:Models:local");

    [Fact]
    public void CreateModel_ReadsEverySetting()
    {
        LlamaChatModelOptions? seen = null;
        var provider = new LlamaChatModelProvider((options, descriptor) =>
        {
            seen = options;
            return new LlamaChatModel(options, new FakeBackend(), descriptor);
        });

        using var model = provider.CreateModel(new ModelDescriptor("local", "llama"), Section(
            ("Path", "/models/m.gguf"), ("Threads", "3"), ("ContextSize", "1024"), ("KvCacheType", "f32"),
            ("ChatTemplate", "llama3"), ("MaxConcurrentContexts", "2"), ("MaxOutputTokens", "100")));

        Assert.Equal("llama", provider.Name);
        Assert.Equal("/models/m.gguf", seen!.ModelPath);
        Assert.Equal(3, seen.Threads);
        Assert.Equal(1024, seen.ContextSize);
        Assert.Equal(KvCacheType.F32, seen.KvCacheType);
        Assert.Equal("llama3", seen.ChatTemplate);
        Assert.Equal(2, seen.MaxConcurrentContexts);
        Assert.Equal(100, seen.MaxOutputTokens);
        Assert.Equal("local", model.Descriptor.Name);
        Assert.Equal(ModelLocality.InHouse, model.Descriptor.Locality);
    }

    [Fact]
    public void ReadOptions_OnlyPath_UsesDefaults()
    {
        var options = LlamaChatModelProvider.ReadOptions("local", Section(("Path", "m.gguf")));

        Assert.Equal(4096, options.ContextSize);
        Assert.Equal(KvCacheType.F16, options.KvCacheType);
        Assert.Null(options.ChatTemplate);
        Assert.Equal(1, options.MaxConcurrentContexts);
    }

    [Theory]
    [InlineData("Path", "", "Path")]
    [InlineData("KvCacheType", "Q4", "KvCacheType")]
    [InlineData("Threads", "many", "Threads")]
    [InlineData("ContextSize", "-5", "ContextSize")]
    [InlineData("ChatTemplate", "alpaca", "ChatTemplate")]
    public void ReadOptions_InvalidSetting_MessageNamesKey(string key, string value, string named)
    {
        var settings = key == "Path" ? Section() : Section(("Path", "m.gguf"), (key, value));

        var ex = Assert.Throws<HybridAIException>(() => LlamaChatModelProvider.ReadOptions("local", settings));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        Assert.Contains("local", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOptions_UnknownTemplate_ListsValidNames()
    {
        var ex = Assert.Throws<HybridAIException>(() =>
            LlamaChatModelProvider.ReadOptions("local", Section(("Path", "m.gguf"), ("ChatTemplate", "alpaca"))));

        Assert.All(ChatTemplate.FamilyNames, name => Assert.Contains(name, ex.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void AddHybridAILlama_RegistersProviderOnce()
    {
        var services = new ServiceCollection();

        services.AddHybridAILlama().AddHybridAILlama();

        using var provider = services.BuildServiceProvider();
        var llama = Assert.Single(provider.GetServices<IChatModelProvider>());
        Assert.IsType<LlamaChatModelProvider>(llama);
    }
}
