using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace HybridAI.Llama;

/// <summary>
/// Creates <see cref="LlamaChatModel"/>s from configuration (provider name <c>"llama"</c>). Settings keys: <c>Path</c>
/// (required, the GGUF file), <c>Threads</c>, <c>ContextSize</c>, <c>KvCacheType</c> (<c>F16</c> or <c>F32</c>),
/// <c>ChatTemplate</c> (a family name), <c>MaxConcurrentContexts</c>, <c>MaxOutputTokens</c>.
/// </summary>
/// <remarks>Thread-safe and stateless.</remarks>
public sealed class LlamaChatModelProvider : IChatModelProvider
{
    private readonly Func<LlamaChatModelOptions, ModelDescriptor, IChatModel> _create;

    /// <summary>Creates the provider.</summary>
    public LlamaChatModelProvider()
        : this((options, descriptor) => new LlamaChatModel(options, descriptor))
    {
    }

    internal LlamaChatModelProvider(Func<LlamaChatModelOptions, ModelDescriptor, IChatModel> create)
    {
        _create = create;
    }

    /// <inheritdoc />
    public string Name => "llama";

    /// <inheritdoc />
    public IChatModel CreateModel(ModelDescriptor descriptor, IConfigurationSection settings)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(settings);
        return _create(ReadOptions(descriptor.Name, settings), descriptor);
    }

    /// <summary>Reads and checks the settings of one model.</summary>
    /// <exception cref="HybridAIException">A setting is missing or invalid; the message names its key.</exception>
    internal static LlamaChatModelOptions ReadOptions(string modelName, IConfigurationSection settings)
    {
        var path = settings["Path"];
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new HybridAIException($"Model '{modelName}': the setting '{settings.Path}:Path' (the GGUF file) is required.");
        }

        var options = new LlamaChatModelOptions
        {
            ModelPath = path,
            Threads = ReadInt(modelName, settings, "Threads") ?? 0,
            ContextSize = ReadInt(modelName, settings, "ContextSize") ?? 4096,
            MaxConcurrentContexts = ReadInt(modelName, settings, "MaxConcurrentContexts") ?? 1,
            MaxOutputTokens = ReadInt(modelName, settings, "MaxOutputTokens"),
            ChatTemplate = string.IsNullOrWhiteSpace(settings["ChatTemplate"]) ? null : settings["ChatTemplate"],
        };

        if (settings["KvCacheType"] is { Length: > 0 } kv)
        {
            if (!Enum.TryParse<KvCacheType>(kv, ignoreCase: true, out var kvType) || !Enum.IsDefined(kvType))
            {
                throw new HybridAIException($"Model '{modelName}': the setting '{settings.Path}:KvCacheType' is '{kv}'; expected F16 or F32.");
            }

            options.KvCacheType = kvType;
        }

        if (options.ChatTemplate is { } family && !ChatTemplate.TryGetKind(family, out _))
        {
            throw new HybridAIException(
                $"Model '{modelName}': the setting '{settings.Path}:ChatTemplate' is '{family}', which is not a supported chat template. " +
                $"Valid names: {string.Join(", ", ChatTemplate.FamilyNames)}.");
        }

        try
        {
            options.Validate();
        }
        catch (HybridAIException ex)
        {
            throw new HybridAIException($"Model '{modelName}' ({settings.Path}): {ex.Message}", ex);
        }

        return options;
    }

    private static int? ReadInt(string modelName, IConfigurationSection settings, string key)
    {
        var text = settings[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new HybridAIException($"Model '{modelName}': the setting '{settings.Path}:{key}' is '{text}'; expected a whole number.");
        }

        return value;
    }
}
