using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// A chat model that product code talks to, whatever serves it: a partner model (OpenAI, Gemini),
/// the in-house model in process, an OpenAI-compatible endpoint, or the HybridAI router that picks one per call.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="IChatModel"/> is an <see cref="IChatClient"/> that also says what it is (<see cref="Descriptor"/>), so every
/// Microsoft.Extensions.AI middleware (function invocation, caching, logging, OpenTelemetry) composes around it directly,
/// and the strategy layer can reason about locality, capabilities and cost. Wrap any other <see cref="IChatClient"/> with
/// <see cref="ChatModelExtensions.AsChatModel(IChatClient, ModelDescriptor)"/>.
/// </para>
/// <para>
/// Failures surface as <see cref="ChatModelException"/> whose <see cref="ChatModelException.Kind"/> tells a caller (or the
/// strategy layer) whether another model could serve the call. Cancellation surfaces as <see cref="OperationCanceledException"/>.
/// </para>
/// <para>Implementations in HybridAI are safe to call concurrently unless their documentation says otherwise.</para>
/// </remarks>
public interface IChatModel : IChatClient
{
    /// <summary>Gets what this model is: its name, provider, locality, capabilities, context window and cost.</summary>
    ModelDescriptor Descriptor { get; }
}
