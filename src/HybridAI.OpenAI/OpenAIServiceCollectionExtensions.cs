using HybridAI;
using HybridAI.OpenAI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers HybridAI's OpenAI provider with a service collection.</summary>
/// <remarks>Like every service collection extension, call it while the host is being built, from one thread.</remarks>
public static class OpenAIServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="IChatModelProvider"/>s named <c>"openai"</c> and <c>"openai-compatible"</c>, so that models
    /// configured with those providers can be built. Calling it more than once registers them once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection, for chaining.</returns>
    public static IServiceCollection AddHybridAIOpenAI(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var provider in new[] { OpenAIChatModelProvider.Default, OpenAIChatModelProvider.Compatible })
        {
            if (!services.Any(d => d.ServiceType == typeof(IChatModelProvider) && !d.IsKeyedService && ReferenceEquals(d.ImplementationInstance, provider)))
            {
                services.AddSingleton<IChatModelProvider>(provider);
            }
        }

        return services;
    }
}
