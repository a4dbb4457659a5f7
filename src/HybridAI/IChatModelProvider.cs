using Microsoft.Extensions.Configuration;

namespace HybridAI;

/// <summary>
/// Builds models of one provider (for example <c>"openai"</c>) from configuration. Each adapter package registers one, so
/// that a model named in the <c>HybridAI</c> configuration section can be created without the product code knowing its type.
/// </summary>
/// <remarks>Implementations must be thread-safe; <see cref="CreateModel"/> may be called again whenever configuration reloads.</remarks>
public interface IChatModelProvider
{
    /// <summary>Gets the provider name that configuration uses to pick this provider (case-insensitive), for example <c>"openai"</c>.</summary>
    string Name { get; }

    /// <summary>Creates a model.</summary>
    /// <param name="descriptor">What the model is, read from the common configuration keys.</param>
    /// <param name="settings">The model's own configuration section, for provider-specific settings (endpoint, key variable, file path).</param>
    /// <returns>The model. The caller owns it and disposes it when configuration changes or the host stops.</returns>
    /// <exception cref="HybridAIException">The settings are invalid; the message names the key that is wrong.</exception>
    IChatModel CreateModel(ModelDescriptor descriptor, IConfigurationSection settings);
}
