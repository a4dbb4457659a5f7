namespace HybridAI;

/// <summary>The <c>HybridAI</c> configuration is invalid. <see cref="Problems"/> lists every problem found, each with its key.</summary>
/// <remarks>Messages name environment variables but never contain their values.</remarks>
public sealed class HybridAIConfigurationException : HybridAIException
{
    /// <summary>Creates an exception with no problems listed.</summary>
    public HybridAIConfigurationException()
    {
        Problems = [];
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public HybridAIConfigurationException(string message)
        : base(message)
    {
        Problems = [message];
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public HybridAIConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Creates an exception that lists every problem.</summary>
    /// <param name="problems">The problems, each starting with the configuration key it concerns.</param>
    public HybridAIConfigurationException(IReadOnlyList<string> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    /// <summary>Gets every problem found, each starting with the configuration key it concerns.</summary>
    public IReadOnlyList<string> Problems { get; }

    internal static string Describe(IReadOnlyList<string> problems) =>
        $"The HybridAI configuration is invalid ({problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}):"
        + string.Concat(problems.Select(p => "\n - " + p));
}
