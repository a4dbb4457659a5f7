namespace HybridAI;

/// <summary>Why a call to a model failed, in terms a caller or the strategy layer can act on.</summary>
public enum ChatModelErrorKind
{
    /// <summary>The failure does not fit any other kind.</summary>
    Unknown = 0,

    /// <summary>The credentials are missing, invalid or not allowed to use the model (HTTP 401 or 403). Retrying will not help.</summary>
    Authentication,

    /// <summary>The provider throttled the call (HTTP 429). <see cref="ChatModelException.RetryAfter"/> says when to try again, when known.</summary>
    RateLimited,

    /// <summary>The provider refused the prompt or stopped the answer for safety or policy reasons.</summary>
    ContentFiltered,

    /// <summary>The conversation does not fit in the model's context window.</summary>
    ContextTooLong,

    /// <summary>A passing failure on the provider's side (HTTP 5xx, a dropped connection); the same call may succeed later.</summary>
    Transient,

    /// <summary>The request itself is wrong (HTTP 400); sending it again, to this model or another, will fail the same way.</summary>
    InvalidRequest,

    /// <summary>The model or its endpoint cannot be reached or does not exist (HTTP 404, no endpoint, a model that failed to load).</summary>
    Unavailable,

    /// <summary>The call took longer than allowed.</summary>
    Timeout,

    /// <summary>The provider answered with something that does not follow its documented format.</summary>
    MalformedResponse,
}
