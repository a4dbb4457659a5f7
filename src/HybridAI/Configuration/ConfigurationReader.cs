using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace HybridAI;

/// <summary>
/// Reads typed values from configuration and records every problem, with the key's path, instead of stopping at the
/// first. Values are parsed here rather than by the binder so that a bad value on reload becomes a listed problem, not an
/// exception thrown from a file watcher.
/// </summary>
/// <remarks>Not thread-safe; one reader per validation.</remarks>
internal sealed class ConfigurationReader
{
    public List<string> Problems { get; } = [];

    public void Problem(IConfigurationSection section, string message) => Problems.Add($"{section.Path}: {message}");

    public void Problem(string path, string message) => Problems.Add($"{path}: {message}");

    public static string? String(IConfigurationSection section, string key) =>
        section[key] is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    public int? Int(IConfigurationSection section, string key)
    {
        if (String(section, key) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Problem(section.GetSection(key), $"'{text}' is not a whole number.");
        return null;
    }

    public decimal? Decimal(IConfigurationSection section, string key)
    {
        if (String(section, key) is not { } text)
        {
            return null;
        }

        if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Problem(section.GetSection(key), $"'{text}' is not a number.");
        return null;
    }

    public TimeSpan? Duration(IConfigurationSection section, string key)
    {
        if (String(section, key) is not { } text)
        {
            return null;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        Problem(section.GetSection(key), $"'{text}' is not a positive duration (hh:mm:ss).");
        return null;
    }

    public TEnum? Enum<TEnum>(IConfigurationSection section, string key)
        where TEnum : struct, Enum
    {
        if (String(section, key) is not { } text)
        {
            return null;
        }

        if (System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !int.TryParse(text, out _))
        {
            return value;
        }

        Problem(section.GetSection(key), $"'{text}' is not one of {string.Join(", ", System.Enum.GetNames<TEnum>())}.");
        return null;
    }

    /// <summary>Reads a list given either as a configuration array or as one comma-separated string.</summary>
    public static List<string> List(IConfigurationSection section, string key)
    {
        var child = section.GetSection(key);
        var items = new List<string>();
        if (child.Value is { } single)
        {
            items.AddRange(single.Split([',', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        foreach (var item in child.GetChildren())
        {
            if (item.Value is { } value && !string.IsNullOrWhiteSpace(value))
            {
                items.Add(value.Trim());
            }
        }

        return items;
    }

    public List<TEnum> EnumList<TEnum>(IConfigurationSection section, string key)
        where TEnum : struct, Enum
    {
        var values = new List<TEnum>();
        foreach (var text in List(section, key))
        {
            if (System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !int.TryParse(text, out _))
            {
                values.Add(value);
            }
            else
            {
                Problem(section.GetSection(key), $"'{text}' is not one of {string.Join(", ", System.Enum.GetNames<TEnum>())}.");
            }
        }

        return values;
    }
}
