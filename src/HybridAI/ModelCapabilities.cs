namespace HybridAI;

/// <summary>What a model can do beyond plain text chat.</summary>
[Flags]
#pragma warning disable CA1711 // "Capabilities" is the domain word.
public enum ModelCapabilities
#pragma warning restore CA1711
{
    /// <summary>Plain text chat only.</summary>
    None = 0,

    /// <summary>Streams its answer token by token.</summary>
    Streaming = 1 << 0,

    /// <summary>Calls tools (functions) described in <c>ChatOptions.Tools</c>.</summary>
    Tools = 1 << 1,

    /// <summary>Answers in JSON that follows a schema given in <c>ChatOptions.ResponseFormat</c>.</summary>
    JsonSchema = 1 << 2,

    /// <summary>Reads images in the conversation.</summary>
    Images = 1 << 3,
}
