using System.ClientModel.Primitives;

namespace HybridAI.OpenAI;

/// <summary>
/// Removes the <c>Authorization</c> header just before a request is sent, for OpenAI-compatible servers that need no key.
/// </summary>
/// <remarks>
/// The SDK requires a credential to build a client (its credential-less constructor is experimental), so a model without
/// a key is built with <see cref="PlaceholderKey"/> and this policy keeps that placeholder off the wire. Stateless and thread-safe.
/// </remarks>
internal sealed class AnonymousRequestPolicy : PipelinePolicy
{
    /// <summary>The credential given to the SDK for a model that has no key; never sent.</summary>
    public const string PlaceholderKey = "no-key";

    public static AnonymousRequestPolicy Instance { get; } = new();

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.Request.Headers.Remove("Authorization");
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.Request.Headers.Remove("Authorization");
        return ProcessNextAsync(message, pipeline, currentIndex);
    }
}
