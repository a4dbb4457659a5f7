using Microsoft.Extensions.Configuration;

namespace HybridAI.Tests;

/// <summary>An in-memory configuration whose whole content can be replaced, firing a reload as a changed file would.</summary>
internal sealed class ReplaceableConfigurationSource : IConfigurationSource
{
    public Provider Current { get; } = new();

    public IConfigurationProvider Build(IConfigurationBuilder builder) => Current;

    internal sealed class Provider : ConfigurationProvider
    {
        public void Replace(IReadOnlyDictionary<string, string?> data)
        {
            Data = new Dictionary<string, string?>(data, StringComparer.OrdinalIgnoreCase);
            OnReload();
        }
    }
}
