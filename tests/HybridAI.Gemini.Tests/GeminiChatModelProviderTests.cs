using HybridAI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static HybridAI.Gemini.Tests.GeminiTestServer;

namespace HybridAI.Gemini.Tests;

public sealed class GeminiChatModelProviderTests
{
    private static readonly ModelDescriptor s_descriptor = new("support-gemini", "gemini", "gemini-2.5-flash");

    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("Models:support-gemini:" + v.Key, v.Value)))
            .Build()
            .GetSection("Models:support-gemini");

    private static GeminiChatModelProvider Provider(Dictionary<string, string>? environment = null) =>
        new(null, null, null, name => environment is not null && environment.TryGetValue(name, out var value) ? value : null, accessTokenProvider: null);

    [Fact]
    public void ReadOptions_DeveloperApiDefaults_TakeTheKeyFromGeminiApiKeyThenGoogleApiKey()
    {
        var options = Provider(new() { ["GEMINI_API_KEY"] = "k1", ["GOOGLE_API_KEY"] = "k2" }).ReadOptions(s_descriptor, Section());
        var fallback = Provider(new() { ["GOOGLE_API_KEY"] = "k2" }).ReadOptions(s_descriptor, Section());

        Assert.Equal(GeminiBackend.DeveloperApi, options.Backend);
        Assert.Equal("gemini-2.5-flash", options.Model);
        Assert.Equal("k1", options.ApiKey);
        Assert.Equal("k2", fallback.ApiKey);
        Assert.Equal(0, options.MaxRetries);
    }

    [Fact]
    public void ReadOptions_AllKeys_AreBound()
    {
        var options = Provider(new() { ["MY_GEMINI_KEY"] = "secret" }).ReadOptions(s_descriptor, Section(
            ("Model", "gemini-2.5-pro"), ("Backend", "DeveloperApi"), ("ApiKeyVariable", "MY_GEMINI_KEY"),
            ("BaseAddress", "http://proxy.internal:8080/"), ("ApiVersion", "v1"), ("MaxRetries", "3"), ("UseOpenApiResponseSchema", "true")));

        Assert.Equal("gemini-2.5-pro", options.Model);
        Assert.Equal("secret", options.ApiKey);
        Assert.Equal(new Uri("http://proxy.internal:8080/"), options.BaseAddress);
        Assert.Equal("v1", options.ApiVersion);
        Assert.Equal(3, options.MaxRetries);
        Assert.True(options.UseOpenApiResponseSchema);
    }

    [Fact]
    public void ReadOptions_VertexAI_BindsProjectAndLocationWithEnvironmentFallbacks()
    {
        var configured = Provider().ReadOptions(s_descriptor, Section(("Backend", "VertexAI"), ("Project", "proj-a"), ("Location", "europe-west4")));
        var fromEnvironment = Provider(new() { ["GOOGLE_GENAI_USE_VERTEXAI"] = "true", ["GOOGLE_CLOUD_PROJECT"] = "proj-b" })
            .ReadOptions(s_descriptor, Section());

        Assert.Equal(GeminiBackend.VertexAI, configured.Backend);
        Assert.Equal("proj-a", configured.Project);
        Assert.Equal("europe-west4", configured.Location);
        Assert.Null(configured.ApiKey);
        Assert.Equal(GeminiBackend.VertexAI, fromEnvironment.Backend);
        Assert.Equal("proj-b", fromEnvironment.Project);
        Assert.Equal("global", fromEnvironment.Location);
    }

    [Theory]
    [InlineData("Backend", "Bard", null)]
    [InlineData("ApiKeyVariable", "NOT_SET_ANYWHERE", null)]
    [InlineData("BaseAddress", "not a url", "k")]
    [InlineData("MaxRetries", "-1", "k")]
    public void ReadOptions_InvalidSetting_ThrowsNamingTheKey(string key, string value, string? apiKey)
    {
        var environment = apiKey is null ? null : new Dictionary<string, string> { ["GEMINI_API_KEY"] = apiKey };

        var ex = Assert.Throws<HybridAIException>(() => Provider(environment).ReadOptions(s_descriptor, Section((key, value))));

        Assert.Contains("Models:support-gemini:" + key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOptions_NoKeyAnywhere_ThrowsWithoutEchoingAnything()
    {
        var ex = Assert.Throws<HybridAIException>(() => Provider().ReadOptions(s_descriptor, Section()));

        Assert.Contains("GEMINI_API_KEY", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOptions_VertexWithoutProject_ThrowsNamingProject()
    {
        var ex = Assert.Throws<HybridAIException>(() => Provider().ReadOptions(s_descriptor, Section(("Backend", "VertexAI"))));

        Assert.Contains("Models:support-gemini:Project", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddHybridAIGemini_ResolvedProvider_BuildsAWorkingModelWithTheFactoryClient()
    {
        await using var server = await LoopbackServer.StartAsync(Json("""
            {"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}]}
            """));
        var counter = new CountingHandler();
        var services = new ServiceCollection();
        services.AddHybridAIGemini();
        services.AddHybridAIGemini(); // idempotent
        services.AddHttpClient(GeminiChatModelProvider.HttpClientName).AddHttpMessageHandler(() => counter);
        using var provider = services.BuildServiceProvider();

        var gemini = Assert.Single(provider.GetServices<IChatModelProvider>());
        Assert.Equal("gemini", gemini.Name);
        Assert.NotNull(provider.GetService<IHttpClientFactory>());

        // The public provider reads real environment variables, so name one that exists only in this process.
        var variable = "HYBRIDAI_TEST_GEMINI_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, FakeApiKey);
        try
        {
            using var model = gemini.CreateModel(s_descriptor, Section(("ApiKeyVariable", variable), ("BaseAddress", server.BaseAddress.ToString())));
            var response = await model.GetResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken);

            Assert.Equal("ok", response.Text);
            Assert.Same(s_descriptor, model.Descriptor);
            Assert.Equal(FakeApiKey, Assert.Single(server.Requests).Headers["x-goog-api-key"]);
            Assert.Equal(1, counter.Count); // the request went through the factory's named client
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
