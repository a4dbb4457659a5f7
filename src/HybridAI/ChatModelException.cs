namespace HybridAI;

/// <summary>A call to a model failed. <see cref="Kind"/> says why, so the caller can decide what to do without parsing messages.</summary>
/// <remarks>The message names the model and never contains API keys or other secrets.</remarks>
public class ChatModelException : HybridAIException
{
    /// <summary>Creates an exception of kind <see cref="ChatModelErrorKind.Unknown"/>.</summary>
    public ChatModelException()
    {
    }

    /// <summary>Creates an exception of kind <see cref="ChatModelErrorKind.Unknown"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public ChatModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception of kind <see cref="ChatModelErrorKind.Unknown"/>.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ChatModelException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a failed call.</summary>
    /// <param name="kind">Why the call failed.</param>
    /// <param name="modelName">The name of the model that failed (see <see cref="ModelDescriptor.Name"/>).</param>
    /// <param name="message">What went wrong; it must not contain secrets.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ChatModelException(ChatModelErrorKind kind, string? modelName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        ModelName = modelName;
    }

    /// <summary>Gets why the call failed.</summary>
    public ChatModelErrorKind Kind { get; }

    /// <summary>Gets the name of the model that failed, when known.</summary>
    public string? ModelName { get; }

    /// <summary>Gets the HTTP status code the provider answered with, when there was one.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets how long the provider asked to wait before trying again, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets the provider's own error code or status (for example <c>"RESOURCE_EXHAUSTED"</c>), when it gave one.</summary>
    public string? ProviderErrorCode { get; init; }

    /// <summary>
    /// Gets a value telling whether the same call may succeed on the same model if tried again later:
    /// true for rate limits, transient failures, unavailability and timeouts.
    /// </summary>
    public bool IsRetriable => Kind is ChatModelErrorKind.RateLimited or ChatModelErrorKind.Transient
        or ChatModelErrorKind.Unavailable or ChatModelErrorKind.Timeout;
}
