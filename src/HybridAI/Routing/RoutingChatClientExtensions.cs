using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>Interoperation with Microsoft.Extensions.AI's experimental routing types (<c>RoutingChatClient</c>, <c>FailoverChatClient</c>).</summary>
/// <remarks>
/// The other direction needs nothing special: the HybridAI router is an <see cref="IChatClient"/>, so MEAI's
/// <c>OrderedFailoverChatClient</c> or <c>SemanticRoutingChatClient</c> can hold it as one of their clients, and any MEAI
/// routing client can become one model of HybridAI's registry with <see cref="ChatModelExtensions.AsChatModel(IChatClient, ModelDescriptor)"/>
/// (its descriptor's locality must then be true of every client it may pick).
/// </remarks>
public static class RoutingChatClientExtensions
{
    /// <summary>
    /// Presents HybridAI's routing policies as a Microsoft.Extensions.AI <c>FailoverChatClient</c>, for code that expects
    /// MEAI's routing abstraction. Each request is planned by the router's current configuration; the data boundary and the
    /// route's fallback kinds apply; each response carries the <see cref="RoutingDecision"/>.
    /// </summary>
    /// <param name="router">The router registered by <c>AddHybridAI</c> (the <see cref="IChatModel"/> or <see cref="IChatClient"/> service), or a pipeline around it.</param>
    /// <returns>A <c>FailoverChatClient</c> whose selection is HybridAI's. Disposing it leaves the router open.</returns>
    /// <exception cref="ArgumentException"><paramref name="router"/> is not, and does not wrap, a HybridAI router.</exception>
    [Experimental("MEAI001")]
    public static FailoverChatClient AsRoutingChatClient(this IChatClient router)
    {
        ArgumentNullException.ThrowIfNull(router);
        var hybrid = router as HybridRouter ?? router.GetService(typeof(HybridRouter)) as HybridRouter
            ?? throw new ArgumentException("The client is not a HybridAI router; resolve IChatModel after AddHybridAI.", nameof(router));
        return new PolicyRoutingChatClient(hybrid);
    }
}
