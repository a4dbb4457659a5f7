using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace HybridAI.Tests;

/// <summary>
/// Builds a router through <c>AddHybridAI</c> from a flat configuration (keys relative to the <c>HybridAI</c> section), with
/// fake providers <c>"openai"</c>, <c>"gemini"</c> and <c>"llama"</c>, a <see cref="FakeTimeProvider"/> and a fake logger.
/// </summary>
internal sealed class RouterFixture : IDisposable
{
    private readonly ReplaceableConfigurationSource _source = new();
    private readonly Dictionary<string, string?> _data;

    public RouterFixture(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configure = null,
        IReadOnlyDictionary<string, string>? environment = null, LogLevel minimumLevel = LogLevel.Debug)
    {
        _data = Prefix(settings);
        _source.Current.Replace(_data);
        Configuration = new ConfigurationBuilder().Add(_source).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddLogging(logging => logging.SetMinimumLevel(minimumLevel).AddProvider(new FakeLoggerProvider(Logs)));
        services.AddSingleton<IChatModelProvider>(OpenAI);
        services.AddSingleton<IChatModelProvider>(Gemini);
        services.AddSingleton<IChatModelProvider>(Llama);
        var env = environment ?? new Dictionary<string, string>();
        services.AddHybridAI(Configuration.GetSection("HybridAI"));
        services.Configure<HybridAIOptions>(o => o.GetEnvironmentVariable = name => env.TryGetValue(name, out var value) ? value : null);
        configure?.Invoke(services);
        Services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));

    public FakeLogCollector Logs { get; } = new();

    public FakeModelProvider OpenAI { get; } = new("openai");

    public FakeModelProvider Gemini { get; } = new("gemini");

    public FakeModelProvider Llama { get; } = new("llama");

    public IConfigurationRoot Configuration { get; }

    public ServiceProvider Services { get; }

    public IChatModel Router => Services.GetRequiredService<IChatModel>();

    public FakeChatModel Model(string name) =>
        OpenAI.Models.TryGetValue(name, out var a) ? a
        : Gemini.Models.TryGetValue(name, out var b) ? b
        : Llama.Models.TryGetValue(name, out var c) ? c
        : throw new InvalidOperationException($"No fake model '{name}' was created.");

    /// <summary>Three models: "partner" (openai), "flash" (gemini), both partner; "local" (llama, in-house); default route on "partner".</summary>
    public static Dictionary<string, string?> Standard() => new()
    {
        ["Models:partner:Provider"] = "openai",
        ["Models:partner:ModelId"] = "gpt-test",
        ["Models:partner:Capabilities"] = "Streaming, Tools, JsonSchema, Images",
        ["Models:partner:ContextWindow"] = "128000",
        ["Models:partner:Cost:Input"] = "2",
        ["Models:partner:Cost:Output"] = "8",
        ["Models:flash:Provider"] = "gemini",
        ["Models:flash:Capabilities"] = "Streaming, Tools",
        ["Models:flash:ContextWindow"] = "1000000",
        ["Models:flash:Cost:Input"] = "0.1",
        ["Models:flash:Cost:Output"] = "0.4",
        ["Models:local:Provider"] = "llama",
        ["Models:local:Locality"] = "InHouse",
        ["Models:local:ContextWindow"] = "8192",
        ["Models:local:Cost:Input"] = "0",
        ["Models:local:Cost:Output"] = "0",
        ["Routes:Default:Model"] = "partner",
    };

    public static Task<ChatResponse> Ask(IChatClient client, ChatRoutingContext? context = null, ChatOptions? options = null)
    {
        if (context is not null)
        {
            options = (options ?? new ChatOptions()).WithRouting(context);
        }

        return client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], options, TestContext.Current.CancellationToken);
    }

    /// <summary>Replaces the configuration (keys relative to the section) and fires a reload.</summary>
    public void Reload(IReadOnlyDictionary<string, string?> settings) => _source.Current.Replace(Prefix(settings));

    public void Dispose() => Services.Dispose();

    private static Dictionary<string, string?> Prefix(IReadOnlyDictionary<string, string?> settings) =>
        settings.ToDictionary(p => "HybridAI:" + p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
}
