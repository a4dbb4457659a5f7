using Microsoft.Extensions.AI;
using Polly;

namespace HybridAI;

/// <summary>A configured model as the router holds it: the model, its resilience pipelines and its circuit state.</summary>
/// <remarks>Immutable after construction; an entry survives a configuration reload when the model's settings did not change.</remarks>
internal sealed class ModelEntry
{
    public ModelEntry(IChatModel model, string fingerprint, ResiliencePipeline pipeline, CircuitHealth circuit, bool owned)
    {
        Model = model;
        Descriptor = model.Descriptor;
        Name = Descriptor.Name;
        Fingerprint = fingerprint;
        Pipeline = pipeline;
        Circuit = circuit;
        Owned = owned;
        Price = Descriptor.Cost is { } cost ? cost.InputPerMillionTokens + cost.OutputPerMillionTokens : decimal.MaxValue;
    }

    public IChatModel Model { get; }

    public ModelDescriptor Descriptor { get; }

    public string Name { get; }

    /// <summary>Gets a digest of the settings the model was built from; equal digests mean the entry can be reused on reload.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Gets retry, circuit breaking and (innermost, per attempt) timeout. It wraps a whole non-streaming call, and the start
    /// of a stream up to its first update (the timeout does not apply to streams, which follow the caller's cancellation).
    /// </summary>
    public ResiliencePipeline Pipeline { get; }

    public CircuitHealth Circuit { get; }

    /// <summary>Gets a value telling whether the router created the model and so disposes it.</summary>
    public bool Owned { get; }

    /// <summary>Gets the sum of input and output price per million tokens, or <see cref="decimal.MaxValue"/> when unknown.</summary>
    public decimal Price { get; }

    public bool IsInHouse => Descriptor.Locality == ModelLocality.InHouse;

    public bool IsHealthy => Circuit.IsHealthy;

    public decimal? ComputeCost(UsageDetails? usage) =>
        Descriptor.Cost is { } cost && usage is not null && (usage.InputTokenCount is not null || usage.OutputTokenCount is not null)
            ? cost.Compute(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0)
            : null;
}
