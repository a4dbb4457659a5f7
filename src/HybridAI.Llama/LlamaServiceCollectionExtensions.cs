using HybridAI.Llama;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the in-process Llama provider with dependency injection.</summary>
public static class LlamaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LlamaChatModelProvider"/> as an <see cref="HybridAI.IChatModelProvider"/>, so that models with
    /// <c>"Provider": "llama"</c> in the HybridAI configuration section can be created. Calling it twice registers it once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection, for chaining.</returns>
    public static IServiceCollection AddHybridAILlama(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<HybridAI.IChatModelProvider, LlamaChatModelProvider>());
        return services;
    }
}
