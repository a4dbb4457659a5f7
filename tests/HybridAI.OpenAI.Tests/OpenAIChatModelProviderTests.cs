using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using static HybridAI.OpenAI.Tests.ChatCompletionsWire;

namespace HybridAI.OpenAI.Tests;

public sealed class OpenAIChatModelProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateModel_OpenAISection_BuildsModelThatCallsConfiguredEndpoint()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context, Completion("configured")));
        var section = Section(new()
        {
            ["Provider"] = "openai",
            ["Model"] = "gpt-4o-mini",
            ["Endpoint"] = TestModels.V1(server).ToString(),
            ["ApiKeyVariable"] = TestModels.ApiKeyVariable,
            ["Organization"] = "org-7",
            ["NetworkTimeout"] = "30",
        });
        Environment.SetEnvironmentVariable(TestModels.ApiKeyVariable, TestModels.ApiKey);
        var descriptor = new ModelDescriptor("assistant", "openai") { ContextWindow = 128_000 };

        using var model = OpenAIChatModelProvider.Default.CreateModel(descriptor, section);
        var response = await model.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Equal("configured", response.Text);
        Assert.Equal("assistant", model.Descriptor.Name);
        Assert.Equal("gpt-4o-mini", model.Descriptor.ModelId);
        Assert.Equal(128_000, model.Descriptor.ContextWindow);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/chat/completions", request.PathAndQuery);
        Assert.Equal($"Bearer {TestModels.ApiKey}", request.Headers["Authorization"]);
        Assert.Equal("org-7", request.Headers["OpenAI-Organization"]);
        Assert.Equal("gpt-4o-mini", (string?)Body(request)["model"]);
    }

    [Fact]
    public async Task CreateModel_CompatibleWithoutKeyVariable_SendsNoKey()
    {
        await using var server = await LoopbackServer.StartAsync(context => WriteJsonAsync(context, Completion("from a local server")));
        var section = Section(new() { ["Model"] = "llama3.1:8b", ["Endpoint"] = TestModels.V1(server).ToString() });

        using var model = OpenAIChatModelProvider.Compatible.CreateModel(new ModelDescriptor("local", "openai-compatible"), section);
        var response = await model.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Equal("from a local server", response.Text);
        Assert.False(Assert.Single(server.Requests).Headers.ContainsKey("Authorization"));
        Assert.Equal("llama3.1:8b", (string?)Body(server.Requests[0])["model"]);
    }

    [Fact]
    public void CreateModel_CompatibleWithoutEndpoint_ThrowsNamingEndpoint()
    {
        var ex = Assert.Throws<HybridAIException>(() =>
            OpenAIChatModelProvider.Compatible.CreateModel(new ModelDescriptor("local", "openai-compatible"), Section(new() { ["Model"] = "qwen2.5" })));

        Assert.Contains("HybridAI:Models:m:Endpoint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateModel_KeyVariableNotSet_ThrowsAuthenticationNamingVariable()
    {
        var section = Section(new() { ["Model"] = "gpt-4o-mini", ["ApiKeyVariable"] = "HYBRIDAI_TESTS_UNSET_VARIABLE" });

        var ex = Assert.Throws<ChatModelException>(() => OpenAIChatModelProvider.Default.CreateModel(new ModelDescriptor("assistant", "openai"), section));

        Assert.Equal(ChatModelErrorKind.Authentication, ex.Kind);
        Assert.Equal("assistant", ex.ModelName);
        Assert.Contains("HYBRIDAI_TESTS_UNSET_VARIABLE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateModel_CompatibleKeyVariableNamedButNotSet_ThrowsAuthentication()
    {
        var section = Section(new() { ["Endpoint"] = "http://127.0.0.1:8000/v1", ["ApiKeyVariable"] = "HYBRIDAI_TESTS_UNSET_VARIABLE" });

        var ex = Assert.Throws<ChatModelException>(() => OpenAIChatModelProvider.Compatible.CreateModel(new ModelDescriptor("vllm", "openai-compatible", "Qwen/Qwen2.5-7B"), section));

        Assert.Equal(ChatModelErrorKind.Authentication, ex.Kind);
    }

    [Fact]
    public void CreateModel_ApiKeyInConfiguration_IsRefusedWithoutEchoingIt()
    {
        var section = Section(new() { ["Model"] = "gpt-4o-mini", ["ApiKey"] = TestModels.ApiKey });

        var ex = Assert.Throws<HybridAIException>(() => OpenAIChatModelProvider.Default.CreateModel(new ModelDescriptor("assistant", "openai"), section));

        Assert.Contains("ApiKeyVariable", ex.Message, StringComparison.Ordinal);
        TestModels.AssertNoSecret(ex);
    }

    [Theory]
    [InlineData("Endpoint", "not a url")]
    [InlineData("Endpoint", "ftp://example.com/v1")]
    [InlineData("MaxRetries", "-1")]
    [InlineData("MaxRetries", "many")]
    [InlineData("NetworkTimeout", "soon")]
    [InlineData("RequireApiKey", "maybe")]
    public void CreateModel_InvalidSetting_ThrowsNamingTheKey(string key, string value)
    {
        var section = Section(new() { ["Model"] = "gpt-4o-mini", ["RequireApiKey"] = "false", [key] = value });

        var ex = Assert.Throws<HybridAIException>(() => OpenAIChatModelProvider.Default.CreateModel(new ModelDescriptor("assistant", "openai"), section));

        Assert.Contains($"HybridAI:Models:m:{key}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Name_BothProviders_AreOpenAIAndOpenAICompatible()
    {
        Assert.Equal("openai", OpenAIChatModelProvider.Default.Name);
        Assert.Equal("openai-compatible", OpenAIChatModelProvider.Compatible.Name);
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(kv => new KeyValuePair<string, string?>($"HybridAI:Models:m:{kv.Key}", kv.Value)))
            .Build()
            .GetSection("HybridAI:Models:m");
}
