namespace HybridAI.Llama;

/// <summary>One message of a conversation as chat templates see it.</summary>
/// <param name="Role">The role: <c>system</c>, <c>user</c> or <c>assistant</c>.</param>
/// <param name="Content">The message text.</param>
internal readonly record struct ChatTurn(string Role, string Content);
