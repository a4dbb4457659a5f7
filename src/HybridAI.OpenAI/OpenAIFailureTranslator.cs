using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace HybridAI.OpenAI;

/// <summary>
/// Turns failures of the OpenAI SDK into <see cref="ChatModelException"/>s whose kind the strategy layer can act on.
/// </summary>
/// <remarks>
/// The SDK's own exception is never attached as the inner exception when the server answered: its message holds the raw
/// response body, and servers echo (parts of) the API key there. Messages are built from the status, the provider's
/// error code and its error message with anything key-like removed. Immutable and thread-safe.
/// </remarks>
internal sealed partial class OpenAIFailureTranslator
{
    private const int MaxProviderMessageLength = 300;

    private readonly string _modelName;
    private readonly string _endpoint;
    private readonly string _keySource;
    private readonly string? _apiKey;

    /// <param name="modelName">The HybridAI name of the model, used in every message.</param>
    /// <param name="endpoint">The API base address; only its scheme, host, port and path appear in messages.</param>
    /// <param name="keySource">Where the key came from, for example "the environment variable 'OPENAI_API_KEY'"; never the key.</param>
    /// <param name="apiKey">The key in use, so that it can be removed from anything the server echoes. Never written anywhere.</param>
    public OpenAIFailureTranslator(string modelName, Uri endpoint, string keySource, string? apiKey)
    {
        _modelName = modelName;
        _endpoint = endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.SafeUnescaped);
        _keySource = keySource;
        _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
    }

    /// <summary>Maps a failure to a <see cref="ChatModelException"/>, or returns null to let it pass unchanged (cancellation, our own exceptions).</summary>
    public ChatModelException? Translate(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        ChatModelException => null,
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        ClientResultException { Status: 0 } transport => FromTransportFailure(transport),
        ClientResultException http => FromStatus(http.Status, http.GetRawResponse()),
        HttpRequestException transport => FromTransportFailure(transport),
        OperationCanceledException or TimeoutException => new ChatModelException(ChatModelErrorKind.Timeout, _modelName,
            $"Model '{_modelName}' did not answer in time (no response from {_endpoint}).", exception),
        _ when IsMalformedBody(exception) =>
            new ChatModelException(ChatModelErrorKind.MalformedResponse, _modelName,
            $"Model '{_modelName}' answered with a body that is not a valid chat completion ({exception.GetType().Name}).", exception),
        _ => null,
    };

    /// <summary>Creates the exception for an answer that the provider stopped for content policy reasons.</summary>
    public ChatModelException ContentFiltered() => new(ChatModelErrorKind.ContentFiltered, _modelName,
        $"Model '{_modelName}' stopped its answer because of the provider's content filter (finish reason 'content_filter').")
    {
        ProviderErrorCode = "content_filter",
    };

    /// <summary>
    /// Tells whether the SDK failed to read a successful answer: invalid JSON; JSON of the wrong shape, which
    /// <see cref="JsonElement"/> reports with <see cref="InvalidOperationException"/> or <see cref="KeyNotFoundException"/>;
    /// or a completion without the parts every completion has (no choices), which the SDK reports with an index error.
    /// </summary>
    private static bool IsMalformedBody(Exception exception)
    {
        var thrower = exception.TargetSite?.DeclaringType?.Assembly;
        return exception switch
        {
            JsonException or FormatException => true,
            InvalidOperationException or KeyNotFoundException => thrower == typeof(JsonElement).Assembly,
            ArgumentOutOfRangeException or IndexOutOfRangeException or NullReferenceException =>
                thrower == typeof(ChatCompletion).Assembly || thrower == typeof(OpenAIClientExtensions).Assembly,
            _ => false,
        };
    }

    private ChatModelException FromTransportFailure(Exception exception)
    {
        // The SDK wraps the HttpRequestException; its message names the host and the socket error, nothing secret.
        var cause = exception is ClientResultException && exception.InnerException is { } inner ? inner : exception;
        if (cause is OperationCanceledException or TimeoutException)
        {
            return new ChatModelException(ChatModelErrorKind.Timeout, _modelName,
                $"Model '{_modelName}' did not answer in time (no response from {_endpoint}).", cause);
        }

        return new ChatModelException(ChatModelErrorKind.Unavailable, _modelName,
            $"Model '{_modelName}' could not be reached at {_endpoint}: {Redact(cause.Message)}", cause is HttpRequestException ? cause : null);
    }

    private ChatModelException FromStatus(int status, PipelineResponse? response)
    {
        var error = ProviderError.Read(response);
        var code = error.Code ?? error.Type;
        var detail = error.Message is null ? string.Empty : $": {Shorten(Redact(error.Message))}";
        var codeText = code is null ? string.Empty : $", {code}";

        var retryAfter = status is 429 or 503 ? ReadRetryAfter(response) : null;
        var retryText = retryAfter is { } wait ? $"; retry after {wait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : string.Empty;
        var (kind, message) = status switch
        {
            401 or 403 => (ChatModelErrorKind.Authentication,
                $"Model '{_modelName}': the endpoint {_endpoint} refused the credentials (HTTP {status}{codeText}). " +
                $"Check the API key in {_keySource}."),
            429 => (ChatModelErrorKind.RateLimited,
                $"Model '{_modelName}' is rate limited (HTTP 429{codeText}{retryText}){detail}"),
            400 or 413 or 422 when error.IsContextTooLong => (ChatModelErrorKind.ContextTooLong,
                $"Model '{_modelName}': the conversation does not fit in the model's context window (HTTP {status}{codeText}){detail}"),
            400 or 422 when error.IsContentFilter => (ChatModelErrorKind.ContentFiltered,
                $"Model '{_modelName}' refused the prompt because of the provider's content filter (HTTP {status}{codeText}){detail}"),
            400 or 413 or 422 => (ChatModelErrorKind.InvalidRequest,
                $"Model '{_modelName}' rejected the request (HTTP {status}{codeText}){detail}"),
            404 => (ChatModelErrorKind.Unavailable,
                $"Model '{_modelName}' was not found at {_endpoint} (HTTP 404{codeText}); check the model id and the endpoint{detail}"),
            408 or 504 => (ChatModelErrorKind.Timeout,
                $"Model '{_modelName}' did not answer in time (HTTP {status}{codeText})."),
            >= 500 => (ChatModelErrorKind.Transient,
                $"Model '{_modelName}' failed on the provider's side (HTTP {status}{codeText}); the call may succeed later{detail}"),
            _ => (ChatModelErrorKind.Unknown,
                $"Model '{_modelName}' failed (HTTP {status}{codeText}){detail}"),
        };

        return new ChatModelException(kind, _modelName, message)
        {
            StatusCode = status,
            ProviderErrorCode = code,
            RetryAfter = retryAfter,
        };
    }

    /// <summary>Reads <c>retry-after-ms</c> (OpenAI, milliseconds) or <c>retry-after</c> (seconds or an HTTP date).</summary>
    internal static TimeSpan? ReadRetryAfter(PipelineResponse? response)
    {
        if (response is null)
        {
            return null;
        }

        if (response.Headers.TryGetValue("retry-after-ms", out var milliseconds)
            && double.TryParse(milliseconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (response.Headers.TryGetValue("retry-after", out var retryAfter) && retryAfter is not null)
        {
            if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                var wait = at - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }

    private string Redact(string text)
    {
        if (_apiKey is not null)
        {
            text = text.Replace(_apiKey, "[redacted]", StringComparison.Ordinal);
        }

        // Servers echo keys masked ("sk-abc***wxyz"); drop what remains of them too.
        return KeyLike().Replace(text, "[redacted]");
    }

    private static string Shorten(string text) =>
        text.Length <= MaxProviderMessageLength ? text : string.Concat(text.AsSpan(0, MaxProviderMessageLength), "…");

    [GeneratedRegex(@"\b(sk|rk|pk|key)-[A-Za-z0-9_\-\*\.]{4,}", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex KeyLike();

    /// <summary>The error object of an OpenAI (or OpenAI-compatible) error body.</summary>
    private readonly record struct ProviderError(string? Code, string? Type, string? Message)
    {
        public bool IsContextTooLong =>
            Code is "context_length_exceeded" or "string_above_max_length"
            || Type is "exceed_context_size_error"
            || Message?.Contains("context length", StringComparison.OrdinalIgnoreCase) == true
            || Message?.Contains("context window", StringComparison.OrdinalIgnoreCase) == true;

        public bool IsContentFilter => Code is "content_filter" or "content_policy_violation";

        /// <summary>
        /// Reads OpenAI's <c>{"error":{"message","type","code"}}</c>, and the shapes compatible servers use:
        /// <c>{"error":"text"}</c> (Ollama) and a top-level <c>{"message","type","code"}</c> (vLLM).
        /// </summary>
        public static ProviderError Read(PipelineResponse? response)
        {
            BinaryData content;
            try
            {
                content = response?.Content ?? BinaryData.Empty;
            }
            catch (InvalidOperationException)
            {
                // The body was not buffered (a streaming request); the status alone decides the kind.
                return default;
            }

            if (content.ToMemory().IsEmpty)
            {
                return default;
            }

            try
            {
                using var document = JsonDocument.Parse(content.ToMemory());
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return default;
                }

                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.String)
                    {
                        return new ProviderError(null, null, error.GetString());
                    }

                    if (error.ValueKind == JsonValueKind.Object)
                    {
                        root = error;
                    }
                }

                return new ProviderError(Text(root, "code"), Text(root, "type"), Text(root, "message"));
            }
            catch (JsonException)
            {
                return default;
            }
        }

        private static string? Text(JsonElement element, string name) =>
            !element.TryGetProperty(name, out var value) ? null : value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            };
    }
}
