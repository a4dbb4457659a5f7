namespace HybridAI.Cli;

/// <summary>The command line is wrong (unknown option, missing or bad value): reported as one line with an exit code.</summary>
internal sealed class CommandLineException : Exception
{
    public CommandLineException()
    {
    }

    public CommandLineException(string message)
        : base(message)
    {
    }

    public CommandLineException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets or initializes the process exit code.</summary>
    public int ExitCode { get; init; } = CliApp.UsageError;
}
