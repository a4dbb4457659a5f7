using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HybridAI;

/// <summary>Registers HybridAI's router from configuration.</summary>
public static class HybridAIServiceCollectionExtensions
{
    /// <summary>
    /// Registers the router, built from the <c>HybridAI</c> configuration section, as <see cref="IChatModel"/> and
    /// <see cref="IChatClient"/>, and each configured model as a keyed <see cref="IChatModel"/> and <see cref="IChatClient"/>
    /// (key: the model's name; calls to it still pass the data boundary). Also registers <see cref="RoutingUsage"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The <c>HybridAI</c> section, for example <c>configuration.GetSection("HybridAI")</c>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <remarks>
    /// <para>
    /// Register the adapters' <see cref="IChatModelProvider"/> services too (each adapter package has its own extension).
    /// The configuration is validated when the host starts (or when the router is first resolved): every problem is listed
    /// in one <see cref="HybridAIConfigurationException"/> (or <see cref="OptionsValidationException"/> at host start).
    /// A later change to the section applies to the next call; an invalid change is logged and the last good configuration
    /// stays.
    /// </para>
    /// <para>
    /// Optional services the router uses when present: <see cref="TimeProvider"/>, <see cref="ILoggerFactory"/>,
    /// <see cref="IMeterFactory"/>, <see cref="IShadowAgreementScorer"/> (default: <see cref="TokenOverlapAgreementScorer"/>)
    /// and every <see cref="IShadowObserver"/>. Keyed models are registered for the models declared when this method runs.
    /// </para>
    /// </remarks>
    public static IServiceCollection AddHybridAI(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<HybridAIOptions>().Configure(options => options.Configuration = configuration);
        services.AddSingleton<IOptionsChangeTokenSource<HybridAIOptions>>(new ConfigurationChangeTokenSource<HybridAIOptions>(configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RoutingUsage>();
        services.TryAddSingleton<IShadowAgreementScorer, TokenOverlapAgreementScorer>();
        services.TryAddSingleton(sp =>
        {
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("HybridAI.Routing") ?? NullLogger.Instance;
            return new RouterServices(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<RoutingUsage>(),
                new RoutingTelemetry(sp.GetService<IMeterFactory>()), logger);
        });
        services.TryAddSingleton(sp =>
        {
            var routerServices = sp.GetRequiredService<RouterServices>();
            return new HybridRouter(sp.GetRequiredService<IOptionsMonitor<HybridAIOptions>>(), sp.GetServices<IChatModelProvider>(), routerServices,
                new ShadowRunner(routerServices, sp.GetRequiredService<IShadowAgreementScorer>(), sp.GetServices<IShadowObserver>()));
        });
        services.TryAddSingleton<IChatModel>(sp => sp.GetRequiredService<HybridRouter>());
        services.TryAddSingleton<IChatClient>(sp => sp.GetRequiredService<HybridRouter>());

        foreach (var model in configuration.GetSection("Models").GetChildren())
        {
            var name = model.Key;
            services.AddKeyedSingleton<IChatModel>(name, (sp, _) => new PinnedChatModel(sp.GetRequiredService<HybridRouter>(), name));
            services.AddKeyedSingleton<IChatClient>(name, (sp, key) => sp.GetRequiredKeyedService<IChatModel>(key));
        }

        // Validate at host start: building the router compiles and checks the whole configuration.
        services.AddOptions<HybridAIStartupCheck>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HybridAIStartupCheck>, HybridAIStartupValidator>());
        return services;
    }
}
