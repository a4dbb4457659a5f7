using Microsoft.Extensions.AI;

namespace HybridAI.Gemini.Tests;

public sealed class GeminiFinishReasonsTests
{
    [Theory]
    [InlineData("STOP", "stop")]
    [InlineData("MAX_TOKENS", "length")]
    [InlineData("SAFETY", "content_filter")]
    [InlineData("RECITATION", "content_filter")]
    [InlineData("BLOCKLIST", "content_filter")]
    [InlineData("PROHIBITED_CONTENT", "content_filter")]
    [InlineData("SPII", "content_filter")]
    [InlineData("IMAGE_SAFETY", "content_filter")]
    [InlineData("IMAGE_PROHIBITED_CONTENT", "content_filter")]
    [InlineData("IMAGE_RECITATION", "content_filter")]
    [InlineData("LANGUAGE", "language")]
    [InlineData("OTHER", "other")]
    [InlineData("MALFORMED_FUNCTION_CALL", "malformed_function_call")]
    [InlineData("UNEXPECTED_TOOL_CALL", "unexpected_tool_call")]
    [InlineData("TOO_MANY_TOOL_CALLS", "too_many_tool_calls")]
    [InlineData("MISSING_THOUGHT_SIGNATURE", "missing_thought_signature")]
    [InlineData("MALFORMED_RESPONSE", "malformed_response")]
    [InlineData("NO_IMAGE", "no_image")]
    [InlineData("IMAGE_OTHER", "image_other")]
    [InlineData("FINISH_REASON_UNSPECIFIED", "finish_reason_unspecified")]
    public void Map_EveryDocumentedReason_HasAFinishReason(string geminiReason, string expected)
    {
        Assert.Equal(new ChatFinishReason(expected), GeminiFinishReasons.Map(geminiReason, hasFunctionCalls: false));
    }

    [Fact]
    public void Map_StopWithFunctionCalls_IsToolCalls()
    {
        Assert.Equal(ChatFinishReason.ToolCalls, GeminiFinishReasons.Map("STOP", hasFunctionCalls: true));
    }

    [Fact]
    public void Map_NoReason_IsNull()
    {
        Assert.Null(GeminiFinishReasons.Map(null, hasFunctionCalls: false));
    }

    [Theory]
    [InlineData("SAFETY", true)]
    [InlineData("PROHIBITED_CONTENT", true)]
    [InlineData("OTHER", true)]
    [InlineData("BLOCK_REASON_UNSPECIFIED", false)]
    [InlineData(null, false)]
    public void IsBlocked_BlockReason_TellsWhetherThePromptWasBlocked(string? reason, bool expected)
    {
        Assert.Equal(expected, GeminiFinishReasons.IsBlocked(reason));
    }
}
