using Microsoft.Extensions.Configuration;

namespace HybridAI.Samples.Chat;

/// <summary>
/// Builds the model that <c>HybridAI:DefaultModel</c> names from its <c>HybridAI:Models</c> section, through whichever
/// <see cref="IChatModelProvider"/> its <c>Provider</c> key names. Adding a provider package (Llama, Gemini) adds choices;
/// this code does not change.
/// </summary>
internal sealed class ModelCatalog(IConfiguration configuration, IEnumerable<IChatModelProvider> providers)
{
    public IChatModel CreateDefault()
    {
        var name = configuration["HybridAI:DefaultModel"]
            ?? throw new HybridAIException("No model is chosen: set HybridAI:DefaultModel in appsettings.json.");
        var settings = configuration.GetSection($"HybridAI:Models:{name}");
        if (!settings.Exists())
        {
            throw new HybridAIException($"HybridAI:DefaultModel names '{name}', but appsettings.json has no HybridAI:Models:{name} section.");
        }

        var providerName = settings["Provider"]
            ?? throw new HybridAIException($"Model '{name}' has no Provider (for example \"openai\" or \"openai-compatible\").");
        var provider = providers.FirstOrDefault(p => string.Equals(p.Name, providerName, StringComparison.OrdinalIgnoreCase))
            ?? throw new HybridAIException($"Model '{name}' uses provider '{providerName}', which is not registered. Known: {string.Join(", ", providers.Select(p => p.Name))}.");

        var descriptor = new ModelDescriptor(name, provider.Name, settings["Model"])
        {
            Locality = Enum.TryParse<ModelLocality>(settings["Locality"], ignoreCase: true, out var locality) ? locality : ModelLocality.Partner,
        };
        return provider.CreateModel(descriptor, settings);
    }
}
