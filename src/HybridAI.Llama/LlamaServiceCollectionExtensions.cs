using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HybridAI.Llama;

/// <summary>Registers the in-process Llama provider with dependency injection.</summary>
public static class LlamaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LlamaChatModelProvider"/> as an <see cref="IChatModelProvider"/>, so that models configured with
    /// provider <c>"llama"</c> can be built.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>Calling it more than once registers the provider once.</remarks>
    public static IServiceCollection AddHybridAILlama(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatModelProvider, LlamaChatModelProvider>());
        return services;
    }
}
