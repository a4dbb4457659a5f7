using Microsoft.Extensions.AI;

namespace HybridAI.Gemini;

/// <summary>Maps every documented Gemini <c>finishReason</c> to a <see cref="ChatFinishReason"/>.</summary>
/// <remarks>
/// Reasons that MEAI has no name for keep Gemini's value in lower case (for example <c>malformed_function_call</c>), so a
/// caller can still tell them apart; the raw value is also on <c>ChatResponse.AdditionalProperties["gemini.finishReason"]</c>.
/// </remarks>
internal static class GeminiFinishReasons
{
    public static ChatFinishReason? Map(string? finishReason, bool hasFunctionCalls) => finishReason switch
    {
        null or "" => null,
        "STOP" => hasFunctionCalls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        "MAX_TOKENS" => ChatFinishReason.Length,

        // Safety and policy stops.
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII"
            or "IMAGE_SAFETY" or "IMAGE_PROHIBITED_CONTENT" or "IMAGE_RECITATION" => ChatFinishReason.ContentFilter,

        // LANGUAGE, OTHER, MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS, MISSING_THOUGHT_SIGNATURE,
        // MALFORMED_RESPONSE, NO_IMAGE, IMAGE_OTHER, FINISH_REASON_UNSPECIFIED and any later value.
        _ => new ChatFinishReason(finishReason.ToLowerInvariant()),
    };

    /// <summary>Tells whether a <c>promptFeedback.blockReason</c> means the prompt was blocked.</summary>
    public static bool IsBlocked(string? blockReason) =>
        !string.IsNullOrEmpty(blockReason) && blockReason != "BLOCK_REASON_UNSPECIFIED";
}
