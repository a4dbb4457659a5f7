namespace HybridAI;

/// <summary>
/// The one choke point of the data boundary: every model invocation the router makes (primary, fallback, shadow, a pinned
/// or keyed model, or a call routed through MEAI's <c>RoutingChatClient</c>) passes <see cref="Admit"/> right before the
/// model is called, in <see cref="ModelGate"/>. Whatever the policies or the configuration say, a sensitive call never
/// reaches a model that is not in-house.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class DataBoundary
{
    /// <summary>Tells whether data of <paramref name="classification"/> may be sent to the model.</summary>
    public static bool Allows(ModelDescriptor model, DataClassification classification) =>
        classification != DataClassification.Sensitive || model.Locality == ModelLocality.InHouse;

    /// <summary>Throws unless data of <paramref name="classification"/> may be sent to the model.</summary>
    /// <exception cref="RoutingException">The call is sensitive and the model is not in-house.</exception>
    public static void Admit(ModelDescriptor model, DataClassification classification, RoutingDecision? decision = null)
    {
        if (!Allows(model, classification))
        {
            throw decision is null
                ? new RoutingException($"Refused to send a sensitive call to '{model.Name}', a {model.Locality} model: sensitive data may only go to in-house models.")
                : new RoutingException($"Refused to send a sensitive call to '{model.Name}', a {model.Locality} model: sensitive data may only go to in-house models.", decision);
        }
    }
}
