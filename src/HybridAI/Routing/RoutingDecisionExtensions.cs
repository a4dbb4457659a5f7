using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>Reads the <see cref="RoutingDecision"/> the router attached to a response or a streaming update.</summary>
/// <remarks>
/// The decision is stored in <c>AdditionalProperties</c> under <see cref="PropertyName"/>: on the response for
/// <c>GetResponseAsync</c>, and on the first update of a stream (so <c>ToChatResponse()</c> carries it too).
/// </remarks>
public static class RoutingDecisionExtensions
{
    /// <summary>The key of <c>AdditionalProperties</c> that holds the routing decision.</summary>
    public const string PropertyName = "hybridai.routing";

    /// <summary>Gets the routing decision of a response, if the router served it.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The decision, or null.</returns>
    public static RoutingDecision? GetRoutingDecision(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Find(response.AdditionalProperties);
    }

    /// <summary>Gets the routing decision of a streaming update, if the router attached one to it (the first update of a stream).</summary>
    /// <param name="update">The update.</param>
    /// <returns>The decision, or null.</returns>
    public static RoutingDecision? GetRoutingDecision(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Find(update.AdditionalProperties);
    }

    private static RoutingDecision? Find(AdditionalPropertiesDictionary? properties) =>
        properties is not null && properties.TryGetValue(PropertyName, out var value) ? value as RoutingDecision : null;
}
