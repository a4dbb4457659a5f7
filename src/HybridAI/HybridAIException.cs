namespace HybridAI;

/// <summary>The base of every exception HybridAI throws on purpose.</summary>
/// <remarks>Messages never contain API keys or other secrets.</remarks>
public class HybridAIException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public HybridAIException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong, and what to do about it.</param>
    public HybridAIException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong, and what to do about it.</param>
    /// <param name="innerException">The cause.</param>
    public HybridAIException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
