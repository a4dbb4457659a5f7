namespace HybridAI;

/// <summary>
/// The router could not serve a call: no configured model qualifies (for example a sensitive call with no healthy in-house
/// model), the pinned model does not exist, or the budget refuses it. <see cref="Decision"/> lists every candidate and why
/// it was rejected.
/// </summary>
/// <remarks>The message never contains the prompt or secrets.</remarks>
public sealed class RoutingException : HybridAIException
{
    /// <summary>Creates an exception with no message.</summary>
    public RoutingException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public RoutingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RoutingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a call the router could not serve.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="decision">The routing decision so far.</param>
    public RoutingException(string message, RoutingDecision decision)
        : base(message)
    {
        Decision = decision;
    }

    /// <summary>Gets the routing decision that led here, when there was one.</summary>
    public RoutingDecision? Decision { get; }
}
