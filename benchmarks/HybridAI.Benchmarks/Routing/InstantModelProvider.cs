using Microsoft.Extensions.Configuration;

namespace HybridAI.Benchmarks.Routing;

/// <summary>Builds <see cref="InstantChatModel"/>s for the router benchmarks.</summary>
internal sealed class InstantModelProvider(string name) : IChatModelProvider
{
    public string Name { get; } = name;

    public IChatModel CreateModel(ModelDescriptor descriptor, IConfigurationSection settings) => new InstantChatModel(descriptor);
}
