namespace HybridAI.Llama;

/// <summary>One step of generation: the token chosen and the text released with it.</summary>
/// <param name="TokenId">The token id, or -1 for text released at the end without a new token (held-back text flushed).</param>
/// <param name="Text">
/// The text released at this step; it may be empty while a UTF-8 character is incomplete or while the text could still be
/// the start of a stop sequence, and it may then carry the text of earlier tokens.
/// </param>
internal readonly record struct GeneratedToken(int TokenId, string Text);
