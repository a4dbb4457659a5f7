namespace HybridAI.Cli;

/// <summary>The <c>hybridai</c> command-line tool.</summary>
internal static class CliApp
{
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine("usage:");
            output.WriteLine("  " + BenchCommand.Usage);
            return args.Length == 0 ? 1 : 0;
        }

        try
        {
            var options = new CommandArguments(args.Skip(1), "--json");
            return args[0] switch
            {
                "bench" => BenchCommand.Run(options, output),
                _ => throw new CommandLineException($"unknown command '{args[0]}'; run 'hybridai --help'."),
            };
        }
        catch (Exception ex) when (ex is CommandLineException or HybridAIException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"hybridai: {ex.Message}");
            return 2;
        }
    }
}
