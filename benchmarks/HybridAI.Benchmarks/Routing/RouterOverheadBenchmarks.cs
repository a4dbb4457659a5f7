using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HybridAI.Benchmarks.Routing;

/// <summary>
/// The router's own cost per call: the same model called directly (baseline) and through the router, by the default route,
/// and by a feature's 90/10 sticky rollout with a routing context on the options (which the router must strip). Goal:
/// under 2 µs and under 1 KB allocated per call above the baseline.
/// </summary>
[MemoryDiagnoser]
public class RouterOverheadBenchmarks
{
    private readonly ChatMessage[] _messages = [new(ChatRole.User, "Translate 'good morning' to French.")];
    private ServiceProvider _services = null!;
    private IChatModel _router = null!;
#pragma warning disable CA1859 // Called through the interface, as the router is, so that both pay the same dispatch.
    private IChatModel _direct = null!;
#pragma warning restore CA1859
    private ChatOptions _featureOptions = null!;

    [GlobalSetup]
    public void Setup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HybridAI:Models:partner:Provider"] = "openai",
            ["HybridAI:Models:partner:Cost:Input"] = "0.15",
            ["HybridAI:Models:partner:Cost:Output"] = "0.60",
            ["HybridAI:Models:local:Provider"] = "llama",
            ["HybridAI:Models:local:Locality"] = "InHouse",
            ["HybridAI:Routes:Default:Model"] = "partner",
            ["HybridAI:Routes:Default:Fallbacks:0"] = "local",
            ["HybridAI:Routes:translation:Rollout:partner"] = "90",
            ["HybridAI:Routes:translation:Rollout:local"] = "10",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IChatModelProvider>(new InstantModelProvider("openai"));
        services.AddSingleton<IChatModelProvider>(new InstantModelProvider("llama"));
        services.AddHybridAI(configuration.GetSection("HybridAI"));
        _services = services.BuildServiceProvider();
        _router = _services.GetRequiredService<IChatModel>();
        _direct = new InstantChatModel(new ModelDescriptor("partner", "openai"));

        // Pick a tenant that the 90/10 rollout sends to partner, so that every case calls the same kind of model.
        for (var tenant = 0; ; tenant++)
        {
            _featureOptions = new ChatOptions { Temperature = 0.2f }
                .WithRouting(new ChatRoutingContext { Feature = "translation", StickyKey = "tenant-" + tenant });
            if (_router.GetResponseAsync(_messages, _featureOptions).GetAwaiter().GetResult().GetRoutingDecision()?.ChosenModel == "partner")
            {
                break;
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Direct() => _direct.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> RouterDefaultRoute() => _router.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> RouterFeatureRolloutWithContext() => _router.GetResponseAsync(_messages, _featureOptions);
}
