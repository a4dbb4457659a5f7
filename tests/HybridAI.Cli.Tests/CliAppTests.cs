namespace HybridAI.Cli.Tests;

public sealed class CliAppTests
{
    [Fact]
    public void Run_NoArguments_PrintsUsageToStderrAndFails()
    {
        var run = CliRun.Of();

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.Contains("usage: hybridai", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Help_PrintsCommandsToStdout()
    {
        var run = CliRun.Of("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("info", run.Output, StringComparison.Ordinal);
        Assert.Contains("make-model", run.Output, StringComparison.Ordinal);
        Assert.Contains("llama-3.2-1b", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownCommand_OneLineUsageError() =>
        CliRun.Of("frobnicate").AssertOneLineFailure(CliApp.UsageError, "unknown command 'frobnicate'");

    [Theory]
    [InlineData("info", "--model")]
    [InlineData("info", "x.gguf")]
    [InlineData("info", "--model", "a", "--model", "b")]
    public void Run_MalformedOptions_OneLineUsageError(params string[] args) =>
        CliRun.Of(args).AssertOneLineFailure(CliApp.UsageError, "hybridai info: ");
}
