namespace HybridAI.Cli.Tests;

/// <summary>Runs <see cref="CliApp"/> in-process and captures what it writes.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts a failure reported as exactly one stderr line, with nothing on stdout.</summary>
    public void AssertOneLineFailure(int exitCode, string messagePart)
    {
        Assert.Equal(exitCode, ExitCode);
        Assert.Equal(string.Empty, Output);
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(messagePart, lines[0], StringComparison.Ordinal);
    }
}
