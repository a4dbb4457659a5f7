namespace HybridAI.Cli;

/// <summary>The <c>hybridai</c> command-line tool: dispatches the first argument to a command.</summary>
/// <remarks>
/// Each command writes its results to <c>stdout</c>; a failure is one line on <c>stderr</c> and a non-zero exit code
/// (1 for a failed command, 2 for a usage error).
/// </remarks>
internal static class CliApp
{
    /// <summary>Exit code of a command that failed (a bad file, an I/O error).</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a usage error (unknown command or option, missing value).</summary>
    public const int UsageError = 2;

    private static readonly Dictionary<string, (string Summary, Func<CommandArguments, TextWriter, int> Run)> s_commands =
        new(StringComparer.Ordinal)
        {
            ["generate"] = ("generate text from a prompt with a local GGUF model", GenerateCommand.Run),
            ["info"] = ("show a GGUF model's architecture, sizes, tensor types and chat template", InfoCommand.Run),
            ["bench"] = ("measure prompt processing and generation speed, like llama-bench", BenchCommand.Run),
            ["make-model"] = ("write a random-weight llama GGUF model of a known or custom shape", MakeModelCommand.Run),
        };

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            WriteUsage(args.Length == 0 ? stderr : stdout);
            return args.Length == 0 ? UsageError : 0;
        }

        if (!s_commands.TryGetValue(args[0], out var command))
        {
            stderr.WriteLine($"hybridai: unknown command '{args[0]}' (commands: {string.Join(", ", s_commands.Keys)}; see hybridai --help)");
            return UsageError;
        }

        try
        {
            return command.Run(CommandArguments.Parse(args.AsSpan(1)), stdout);
        }
        catch (CommandLineException error)
        {
            stderr.WriteLine($"hybridai {args[0]}: {error.Message}");
            return error.ExitCode;
        }
        catch (HybridAIException error)
        {
            stderr.WriteLine($"hybridai {args[0]}: {error.Message}");
            return Failure;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
        {
            stderr.WriteLine($"hybridai {args[0]}: {error.Message}");
            return Failure;
        }
    }

    private static void WriteUsage(TextWriter writer)
    {
        writer.WriteLine("usage: hybridai <command> [options]");
        writer.WriteLine();
        foreach (var (name, (summary, _)) in s_commands)
        {
            writer.WriteLine($"  {name,-12} {summary}");
        }

        writer.WriteLine();
        writer.WriteLine("  " + GenerateCommand.Usage);
        writer.WriteLine("  hybridai info --model FILE.gguf");
        writer.WriteLine("  " + BenchCommand.Usage);
        writer.WriteLine("  hybridai make-model --shape NAME|key=value,... --type F16|Q8_0|Q4_0|Q4_K_M --out FILE.gguf [--vocab-from FILE.gguf] [--seed N]");
        writer.WriteLine($"      shapes: {string.Join(", ", HybridAI.Llama.LlamaShape.Known.Select(static s => s.Name))}");
        writer.WriteLine("      custom: embd=64,ff=128,layers=2,heads=4,kv-heads=2,vocab=300,ctx=256,rope-base=10000,tied=true");
    }
}
