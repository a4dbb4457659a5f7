namespace HybridAI.Llama;

/// <summary>
/// A GGUF file is malformed, unsupported, or lacks what the caller asked for. The message names the file, the field
/// (a header field, a metadata key or a tensor name) and the offset in the file where the problem lies.
/// </summary>
/// <remarks>Message format: <c>&lt;file&gt;: &lt;field&gt; at offset &lt;n&gt;: &lt;what is wrong&gt;</c> (without the offset part when there is none).</remarks>
public sealed class GgufFormatException : HybridAIException
{
    /// <summary>Creates an exception with no details.</summary>
    public GgufFormatException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public GgufFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public GgufFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a problem at a place in a file.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="field">The header field, metadata key or tensor name.</param>
    /// <param name="offset">The offset in the file, or -1 when there is none (for example, a missing key).</param>
    /// <param name="problem">What is wrong.</param>
    public GgufFormatException(string filePath, string field, long offset, string problem)
        : base(offset >= 0 ? $"{filePath}: {field} at offset {offset}: {problem}" : $"{filePath}: {field}: {problem}")
    {
        FilePath = filePath;
        Field = field;
        Offset = offset;
    }

    /// <summary>Gets the path of the file.</summary>
    public string FilePath { get; } = string.Empty;

    /// <summary>Gets the header field, metadata key or tensor name the problem concerns.</summary>
    public string Field { get; } = string.Empty;

    /// <summary>Gets the offset in the file where the problem lies, or -1 when there is none.</summary>
    public long Offset { get; } = -1;
}
