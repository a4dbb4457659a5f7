namespace HybridAI.OpenAI.Tests;

/// <summary>Builds models that talk to a loopback server with a fake key read from an environment variable.</summary>
internal static class TestModels
{
    /// <summary>A key-shaped secret. Tests assert it never appears in any exception text.</summary>
    public const string ApiKey = "sk-test-4f9c2e7a1b3d5f60817263549a8b";

    /// <summary>The environment variable holding <see cref="ApiKey"/> for these tests.</summary>
    public const string ApiKeyVariable = "HYBRIDAI_TESTS_OPENAI_KEY";

    public static Uri V1(LoopbackServer server) => new(server.BaseAddress, "v1/");

    public static IChatModel Create(LoopbackServer server, Action<OpenAIChatModelOptions>? configure = null)
    {
        Environment.SetEnvironmentVariable(ApiKeyVariable, ApiKey);
        var options = new OpenAIChatModelOptions
        {
            Model = "gpt-4o-mini",
            Endpoint = V1(server),
            ApiKeyEnvironmentVariable = ApiKeyVariable,
            Descriptor = new ModelDescriptor("support-gpt", "openai"),
        };
        configure?.Invoke(options);
        return OpenAIChatModels.Create(options);
    }

    /// <summary>Asserts that neither the key nor a masked echo of it appears anywhere in the exception, its inner exceptions or stack.</summary>
    public static void AssertNoSecret(Exception exception)
    {
        var text = exception.ToString();
        Assert.DoesNotContain(ApiKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey[..12], text, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey[^6..], text, StringComparison.Ordinal);
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            Assert.DoesNotContain(ApiKey, inner.Message, StringComparison.Ordinal);
        }
    }
}
