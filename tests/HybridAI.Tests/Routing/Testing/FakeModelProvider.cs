using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;

namespace HybridAI.Tests;

/// <summary>A provider that builds <see cref="FakeChatModel"/>s and keeps the latest one per name for tests to script.</summary>
internal sealed class FakeModelProvider(string name) : IChatModelProvider
{
    public string Name { get; } = name;

    public ConcurrentDictionary<string, FakeChatModel> Models { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<FakeChatModel> Created { get; } = [];

    public IChatModel CreateModel(ModelDescriptor descriptor, IConfigurationSection settings)
    {
        if (settings["Fail"] is { } message)
        {
            throw new HybridAIException($"Model '{descriptor.Name}': {message}");
        }

        var model = new FakeChatModel(descriptor) { Reply = settings["Reply"] };
        Models[descriptor.Name] = model;
        lock (Created)
        {
            Created.Add(model);
        }

        return model;
    }
}
