namespace HybridAI.Cli;

/// <summary>The <c>hybridai</c> command-line tool.</summary>
internal static class CliApp
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("hybridai: no commands are available yet.");
        return args.Length == 0 ? 1 : 2;
    }
}
