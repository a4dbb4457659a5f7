namespace HybridAI.Llama;

/// <summary>Turns generated tokens back into text one at a time, never splitting a UTF-8 character across pieces.</summary>
/// <remarks>Not thread-safe: one per generation.</remarks>
internal interface IStreamingDetokenizer
{
    /// <summary>Adds a token and returns the text that is now complete (possibly empty while a character is incomplete).</summary>
    string Append(int token);

    /// <summary>Returns whatever text is still held back (an incomplete character becomes U+FFFD).</summary>
    string Flush();
}
