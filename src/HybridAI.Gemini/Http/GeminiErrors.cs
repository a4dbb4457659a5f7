using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace HybridAI.Gemini;

/// <summary>Builds <see cref="ChatModelException"/>s from Gemini's error bodies and other failures, without secrets.</summary>
internal sealed class GeminiErrors
{
    private const string RetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";
    private readonly string _modelName;
    private readonly string _modelId;
    private readonly string? _secret;

    public GeminiErrors(string modelName, string modelId, string? secret)
    {
        _modelName = modelName;
        _modelId = modelId;
        _secret = string.IsNullOrEmpty(secret) ? null : secret;
    }

    /// <summary>Reads an error body (<c>{"error": ...}</c>, or Vertex AI's <c>[{"error": ...}]</c>); null when it is neither.</summary>
    public static GeminiError? ParseBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var trimmed = body.TrimStart(" \t\r\n"u8);
            if (trimmed.IsEmpty)
            {
                return null;
            }

            if (trimmed[0] == (byte)'[')
            {
                var list = JsonSerializer.Deserialize(trimmed, GeminiJsonContext.Default.ListGeminiErrorEnvelope);
                return list is { Count: > 0 } ? list[0].Error : null;
            }

            return JsonSerializer.Deserialize(trimmed, GeminiJsonContext.Default.GeminiErrorEnvelope)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Creates the exception for an error answer (an HTTP error status, or an error object inside a stream).</summary>
    public ChatModelException FromError(int? httpStatus, GeminiError? error, RetryConditionHeaderValue? retryAfterHeader, DateTimeOffset now)
    {
        var status = httpStatus ?? error?.Code;
        var kind = KindOf(status, error);
        var retryAfter = RetryDelayOf(error) ?? RetryAfterOf(retryAfterHeader, now);
        var code = status is { } s ? $"HTTP {s.ToString(CultureInfo.InvariantCulture)}" : "an error";
        var statusText = error?.Status is { Length: > 0 } rpcStatus ? " " + rpcStatus : string.Empty;
        var detail = error?.Message is { Length: > 0 } text ? ": " + Redact(text) : ".";
        return new ChatModelException(kind, _modelName, $"Gemini model '{_modelName}' ({_modelId}) failed with {code}{statusText}{detail}")
        {
            StatusCode = status,
            RetryAfter = retryAfter,
            ProviderErrorCode = error?.Status,
        };
    }

    public ChatModelException Create(ChatModelErrorKind kind, string message, Exception? inner = null) =>
        new(kind, _modelName, $"Gemini model '{_modelName}' ({_modelId}): {Redact(message)}", inner);

    /// <summary>Tells whether an HTTP status may succeed when the same request is sent again.</summary>
    public static bool IsRetriable(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;

    private static ChatModelErrorKind KindOf(int? status, GeminiError? error) => status switch
    {
        400 when IsContextTooLong(error?.Message) => ChatModelErrorKind.ContextTooLong,
        400 or 409 or 412 or 413 or 422 => ChatModelErrorKind.InvalidRequest,
        401 or 403 => ChatModelErrorKind.Authentication,
        404 => ChatModelErrorKind.Unavailable,
        408 => ChatModelErrorKind.Timeout,
        429 => ChatModelErrorKind.RateLimited,
        >= 500 and < 600 => ChatModelErrorKind.Transient,
        _ => error?.Status switch
        {
            "INVALID_ARGUMENT" or "FAILED_PRECONDITION" or "OUT_OF_RANGE" => ChatModelErrorKind.InvalidRequest,
            "UNAUTHENTICATED" or "PERMISSION_DENIED" => ChatModelErrorKind.Authentication,
            "NOT_FOUND" => ChatModelErrorKind.Unavailable,
            "RESOURCE_EXHAUSTED" => ChatModelErrorKind.RateLimited,
            "DEADLINE_EXCEEDED" => ChatModelErrorKind.Timeout,
            "UNAVAILABLE" or "INTERNAL" or "ABORTED" => ChatModelErrorKind.Transient,
            _ => ChatModelErrorKind.Unknown,
        },
    };

    private static bool IsContextTooLong(string? message) =>
        message is not null
        && message.Contains("token", StringComparison.OrdinalIgnoreCase)
        && (message.Contains("exceeds the maximum", StringComparison.OrdinalIgnoreCase)
            || message.Contains("too long", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads <c>google.rpc.RetryInfo.retryDelay</c> (a protobuf Duration such as <c>"12s"</c> or <c>"0.5s"</c>).</summary>
    internal static TimeSpan? RetryDelayOf(GeminiError? error)
    {
        if (error?.Details is not { } details)
        {
            return null;
        }

        foreach (var detail in details)
        {
            if (detail.ValueKind == JsonValueKind.Object
                && detail.TryGetProperty("@type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == RetryInfoType
                && detail.TryGetProperty("retryDelay", out var delay) && delay.ValueKind == JsonValueKind.String
                && ParseDuration(delay.GetString()) is { } parsed)
            {
                return parsed;
            }
        }

        return null;
    }

    internal static TimeSpan? ParseDuration(string? text)
    {
        if (text is not { Length: > 1 } || text[^1] != 's'
            || !decimal.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds > (decimal)TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return null;
        }

        return TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }

    internal static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Removes the API key from text that came from elsewhere (the service echoes requests in some messages).</summary>
    public string Redact(string text) =>
        _secret is null ? text : text.Replace(_secret, "[redacted]", StringComparison.Ordinal);
}
