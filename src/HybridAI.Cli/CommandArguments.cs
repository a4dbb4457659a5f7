using System.Globalization;

namespace HybridAI.Cli;

/// <summary>
/// The options of one command: <c>--name value</c> pairs (or <c>--name=value</c>). Each command takes the options it
/// knows and then calls <see cref="ThrowIfUnused"/>, so a misspelled option is an error, not silently ignored.
/// </summary>
internal sealed class CommandArguments
{
    private readonly Dictionary<string, string> _options;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private CommandArguments(Dictionary<string, string> options)
    {
        _options = options;
    }

    public static CommandArguments Parse(ReadOnlySpan<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new CommandLineException($"unexpected argument '{arg}' (options look like --name value)");
            }

            string name;
            string value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[2..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CommandLineException($"option --{name} needs a value");
                }

                value = args[++i];
            }

            if (!options.TryAdd(name, value))
            {
                throw new CommandLineException($"option --{name} is given twice");
            }
        }

        return new CommandArguments(options);
    }

    public string Required(string name) =>
        Optional(name) ?? throw new CommandLineException($"option --{name} is required");

    public string? Optional(string name)
    {
        _used.Add(name);
        return _options.GetValueOrDefault(name);
    }

    public ulong? OptionalUInt64(string name)
    {
        var text = Optional(name);
        if (text is null)
        {
            return null;
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CommandLineException($"option --{name}: '{text}' is not a non-negative integer");
    }

    public void ThrowIfUnused()
    {
        var unknown = _options.Keys.FirstOrDefault(name => !_used.Contains(name));
        if (unknown is not null)
        {
            throw new CommandLineException($"unknown option --{unknown}");
        }
    }
}
