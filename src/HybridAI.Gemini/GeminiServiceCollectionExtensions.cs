using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HybridAI.Gemini;

/// <summary>Registers the Gemini adapter with dependency injection.</summary>
public static class GeminiServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GeminiChatModelProvider"/> as an <see cref="IChatModelProvider"/>, so that models configured with
    /// provider <c>"gemini"</c> can be built, and the named HTTP client <see cref="GeminiChatModelProvider.HttpClientName"/>
    /// (configure it further with <c>services.AddHttpClient(GeminiChatModelProvider.HttpClientName)</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>Calling it more than once registers the provider once.</remarks>
    public static IServiceCollection AddHybridAIGemini(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHttpClient(GeminiChatModelProvider.HttpClientName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatModelProvider, GeminiChatModelProvider>());
        return services;
    }
}
