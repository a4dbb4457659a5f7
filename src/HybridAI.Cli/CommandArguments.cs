using System.Globalization;
using HybridAI.Llama;

namespace HybridAI.Cli;

/// <summary>
/// The options of one command: <c>--name value</c> pairs (or <c>--name=value</c>), short <c>-x value</c> options, and flags
/// (an option with no value). Each command takes the options it knows and then calls <see cref="ThrowIfUnused"/>, so a
/// misspelled option is an error, not silently ignored. Names are stored without their dashes.
/// </summary>
internal sealed class CommandArguments
{
    private readonly Dictionary<string, string?> _options;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private CommandArguments(Dictionary<string, string?> options)
    {
        _options = options;
    }

    public static CommandArguments Parse(ReadOnlySpan<string> args)
    {
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var dashes = arg.StartsWith("--", StringComparison.Ordinal) ? 2 : arg.StartsWith('-') ? 1 : 0;
            if (dashes == 0 || arg.Length == dashes)
            {
                throw new CommandLineException($"unexpected argument '{arg}' (options look like --name value)");
            }

            string name;
            string? value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[dashes..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[dashes..];

                // A flag has no value: the next argument is another option (a negative number is a value).
                var next = i + 1 < args.Length ? args[i + 1] : null;
                value = next is null || (next.StartsWith('-') && !IsNumber(next)) ? null : args[++i];
            }

            if (!options.TryAdd(name, value))
            {
                throw new CommandLineException($"option {Dashed(name)} is given twice");
            }
        }

        return new CommandArguments(options);
    }

    public string Required(string name) =>
        Optional(name) ?? throw new CommandLineException($"option {Dashed(name)} is required");

    public string? Optional(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var value))
        {
            return null;
        }

        return value ?? throw new CommandLineException($"option {Dashed(name)} needs a value");
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var value))
        {
            return false;
        }

        return value is null ? true : throw new CommandLineException($"option {Dashed(name)} takes no value");
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
            : throw new CommandLineException($"option {Dashed(name)}: '{text}' is not a non-negative integer");
    }

    public int Int32(string name, int defaultValue, int min = 0)
    {
        var text = Optional(name);
        if (text is null)
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new CommandLineException($"option {Dashed(name)}: '{text}' is not a whole number of at least {min}");
    }

    public float? OptionalSingle(string name)
    {
        var text = Optional(name);
        if (text is null)
        {
            return null;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value
            : throw new CommandLineException($"option {Dashed(name)}: '{text}' is not a number");
    }

    public KvCacheType KvCacheType(string name, KvCacheType defaultValue) => Optional(name)?.ToUpperInvariant() switch
    {
        null => defaultValue,
        "F32" => Llama.KvCacheType.F32,
        "F16" => Llama.KvCacheType.F16,
        var other => throw new CommandLineException($"option {Dashed(name)} takes f32 or f16, not '{other}'"),
    };

    public void ThrowIfUnused()
    {
        var unknown = _options.Keys.FirstOrDefault(name => !_used.Contains(name));
        if (unknown is not null)
        {
            throw new CommandLineException($"unknown option {Dashed(unknown)}");
        }
    }

    private static string Dashed(string name) => name.Length == 1 ? "-" + name : "--" + name;

    private static bool IsNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
