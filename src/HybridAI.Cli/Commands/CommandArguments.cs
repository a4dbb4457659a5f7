using System.Globalization;
using HybridAI.Llama;

namespace HybridAI.Cli;

/// <summary>A command's options (<c>--name value</c> pairs and flags), with errors that say which option is wrong.</summary>
internal sealed class CommandArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CommandArguments(IEnumerable<string> args, params string[] flags)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith('-'))
            {
                throw new CommandLineException($"unexpected argument '{name}'.");
            }

            if (flags.Contains(name))
            {
                _options[name] = null;
                continue;
            }

            if (!e.MoveNext())
            {
                throw new CommandLineException($"option {name} needs a value.");
            }

            _options[name] = e.Current;
        }
    }

    public string Required(string name) =>
        Optional(name) ?? throw new CommandLineException($"option {name} is required.");

    public string? Optional(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var value) ? value : null;
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    public int Int(string name, int defaultValue, int min = int.MinValue)
    {
        var text = Optional(name);
        if (text is null)
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new CommandLineException($"option {name} takes a whole number of at least {min}, not '{text}'.");
    }

    public float Float(string name, float defaultValue)
    {
        var text = Optional(name);
        if (text is null)
        {
            return defaultValue;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value
            : throw new CommandLineException($"option {name} takes a number, not '{text}'.");
    }

    public KvCacheType KvCacheType(string name, KvCacheType defaultValue) => Optional(name)?.ToLowerInvariant() switch
    {
        null => defaultValue,
        "f32" => Llama.KvCacheType.F32,
        "f16" => Llama.KvCacheType.F16,
        var other => throw new CommandLineException($"option {name} takes f32 or f16, not '{other}'."),
    };

    /// <summary>Refuses options the command does not know, so that a typo is not silently ignored.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _options.Keys.Where(key => !_used.Contains(key)).ToArray();
        if (unknown.Length > 0)
        {
            throw new CommandLineException($"unknown option {string.Join(", ", unknown)}.");
        }
    }
}
