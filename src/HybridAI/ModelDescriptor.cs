namespace HybridAI;

/// <summary>Describes one configured model: what it is, where it runs, what it can do and what it costs.</summary>
/// <remarks>Descriptors are immutable and safe to share between threads.</remarks>
public sealed record ModelDescriptor
{
    /// <summary>Creates a descriptor.</summary>
    /// <param name="name">The name HybridAI knows the model by (the key in configuration, for example <c>"support-gpt"</c>).</param>
    /// <param name="provider">The provider that serves it (for example <c>"openai"</c>, <c>"gemini"</c>, <c>"llama"</c>).</param>
    /// <param name="modelId">The provider's own model id (for example <c>"gpt-4o-mini"</c>); defaults to <paramref name="name"/>.</param>
    /// <exception cref="ArgumentException">A name or provider is empty.</exception>
    public ModelDescriptor(string name, string provider, string? modelId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        Name = name;
        Provider = provider;
        ModelId = string.IsNullOrWhiteSpace(modelId) ? name : modelId;
    }

    /// <summary>Gets the name HybridAI knows the model by.</summary>
    public string Name { get; }

    /// <summary>Gets the provider that serves the model.</summary>
    public string Provider { get; }

    /// <summary>Gets the provider's own model id.</summary>
    public string ModelId { get; init; }

    /// <summary>Gets where the model runs. Only <see cref="ModelLocality.InHouse"/> models may see sensitive data.</summary>
    public ModelLocality Locality { get; init; } = ModelLocality.Partner;

    /// <summary>Gets what the model can do beyond plain text chat.</summary>
    public ModelCapabilities Capabilities { get; init; } = ModelCapabilities.Streaming;

    /// <summary>Gets the context window in tokens, when known.</summary>
    public int? ContextWindow { get; init; }

    /// <summary>Gets the price per million tokens, when known.</summary>
    public ModelCost? Cost { get; init; }

    /// <summary>Tells whether the model has every capability in <paramref name="required"/>.</summary>
    /// <param name="required">The capabilities a call needs.</param>
    /// <returns><see langword="true"/> when all are present.</returns>
    public bool Supports(ModelCapabilities required) => (Capabilities & required) == required;
}
