namespace HybridAI.Gemini;

/// <summary>Token counts of a call (<c>usageMetadata</c>).</summary>
internal sealed class GeminiUsageMetadata
{
    /// <summary>Tokens in the prompt, cached content included.</summary>
    public int? PromptTokenCount { get; set; }

    /// <summary>Tokens in the answer, thoughts excluded.</summary>
    public int? CandidatesTokenCount { get; set; }

    /// <summary>Tokens the model spent thinking.</summary>
    public int? ThoughtsTokenCount { get; set; }

    /// <summary>Tokens of the prompt served from the context cache.</summary>
    public int? CachedContentTokenCount { get; set; }

    /// <summary>Tokens in tool-use prompts (for example results of built-in tools).</summary>
    public int? ToolUsePromptTokenCount { get; set; }

    public int? TotalTokenCount { get; set; }
}
