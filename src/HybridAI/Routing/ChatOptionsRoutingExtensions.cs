using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>Carries a <see cref="ChatRoutingContext"/> on <see cref="ChatOptions"/>, with no provider dependency.</summary>
/// <remarks>
/// The context travels in <see cref="ChatOptions.AdditionalProperties"/> under <see cref="PropertyName"/>; the router removes
/// it before the options reach a model, so no provider ever sees it.
/// </remarks>
public static class ChatOptionsRoutingExtensions
{
    /// <summary>The key of <see cref="ChatOptions.AdditionalProperties"/> that holds the routing context.</summary>
    public const string PropertyName = "hybridai.context";

    /// <summary>Attaches a routing context to the options.</summary>
    /// <param name="options">The options of the call.</param>
    /// <param name="context">The routing context.</param>
    /// <returns>The same options, for chaining.</returns>
    public static ChatOptions WithRouting(this ChatOptions options, ChatRoutingContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        (options.AdditionalProperties ??= [])[PropertyName] = context;
        return options;
    }

    /// <summary>Gets the routing context attached to the options, if any.</summary>
    /// <param name="options">The options of the call, or null.</param>
    /// <returns>The context, or null.</returns>
    public static ChatRoutingContext? GetRoutingContext(this ChatOptions? options) =>
        options?.AdditionalProperties is { } properties && properties.TryGetValue(PropertyName, out var value)
            ? value as ChatRoutingContext
            : null;
}
