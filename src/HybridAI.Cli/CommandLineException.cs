namespace HybridAI.Cli;

/// <summary>The command line is wrong, or the command failed in a way the user can fix; the message says how, in one line.</summary>
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

    /// <summary>Gets the process exit code: a usage error unless set otherwise.</summary>
    public int ExitCode { get; init; } = CliApp.UsageError;
}
