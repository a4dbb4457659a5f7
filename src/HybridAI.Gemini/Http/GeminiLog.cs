using Microsoft.Extensions.Logging;

namespace HybridAI.Gemini;

/// <summary>Log messages of the Gemini adapter. None of them carries a key, a token or conversation text.</summary>
internal static partial class GeminiLog
{
    [LoggerMessage(1, LogLevel.Information, "Gemini model '{ModelName}' will try again in {Delay} after {Failure} (attempt {Attempt} of {MaxAttempts}).")]
    public static partial void Retrying(ILogger logger, string modelName, TimeSpan delay, string failure, int attempt, int maxAttempts);

    [LoggerMessage(2, LogLevel.Warning, "Gemini model '{ModelName}' failed: {Kind} ({StatusCode}).")]
    public static partial void Failed(ILogger logger, string modelName, ChatModelErrorKind kind, int? statusCode);
}
