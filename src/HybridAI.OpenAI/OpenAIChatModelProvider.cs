using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace HybridAI.OpenAI;

/// <summary>
/// Builds OpenAI models from configuration. Registered twice: as <c>"openai"</c> (OpenAI itself, or Azure OpenAI with an
/// <c>Endpoint</c>), and as <c>"openai-compatible"</c> (any other server that speaks OpenAI's chat completions: vLLM, the
/// llama.cpp server, Ollama, TGI).
/// </summary>
/// <remarks>
/// <para>Keys of a model's section (all optional except where noted):</para>
/// <list type="table">
/// <item><term>Model</term><description>The provider's model id; defaults to the descriptor's model id.</description></item>
/// <item><term>Endpoint</term><description>The API base address ending in its version segment, for example <c>http://localhost:8000/v1</c>. Required for <c>"openai-compatible"</c>.</description></item>
/// <item><term>ApiKeyVariable</term><description>The environment variable holding the key. <c>"openai"</c> defaults to <c>OPENAI_API_KEY</c>;
/// <c>"openai-compatible"</c> has no default, so an OpenAI key is never sent to another server by accident.</description></item>
/// <item><term>RequireApiKey</term><description><c>false</c> to send no key when none is found. Defaults to <c>true</c> for <c>"openai"</c>,
/// and for <c>"openai-compatible"</c> to whether <c>ApiKeyVariable</c> is set.</description></item>
/// <item><term>Organization</term>, <term>Project</term><description>OpenAI organization and project ids.</description></item>
/// <item><term>MaxRetries</term><description>Retries inside the OpenAI SDK; defaults to 0 (HybridAI's strategy layer retries).</description></item>
/// <item><term>NetworkTimeout</term><description>Per-request timeout, as seconds (<c>30</c>) or a time span (<c>00:00:30</c>).</description></item>
/// </list>
/// <para>An <c>ApiKey</c> key is refused: keys belong in environment variables or a secret store, not in configuration files.</para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class OpenAIChatModelProvider : IChatModelProvider
{
    /// <summary>The provider name for OpenAI itself (and Azure OpenAI).</summary>
    public const string OpenAIName = "openai";

    /// <summary>The provider name for other servers that speak OpenAI's chat completions API.</summary>
    public const string CompatibleName = "openai-compatible";

    private readonly bool _compatible;

    private OpenAIChatModelProvider(bool compatible)
    {
        _compatible = compatible;
    }

    /// <summary>Gets the provider registered as <c>"openai"</c>.</summary>
    public static OpenAIChatModelProvider Default { get; } = new(compatible: false);

    /// <summary>Gets the provider registered as <c>"openai-compatible"</c>: <c>Endpoint</c> is required and no key variable is assumed.</summary>
    public static OpenAIChatModelProvider Compatible { get; } = new(compatible: true);

    /// <inheritdoc />
    public string Name => _compatible ? CompatibleName : OpenAIName;

    /// <inheritdoc />
    /// <exception cref="ChatModelException">Kind <see cref="ChatModelErrorKind.Authentication"/>: the key is required and its variable is not set.</exception>
    public IChatModel CreateModel(ModelDescriptor descriptor, IConfigurationSection settings)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(settings);

        if (settings["ApiKey"] is not null)
        {
            throw Invalid(descriptor, settings, "ApiKey",
                "API keys must not be stored in configuration. Put the key in an environment variable and name it with 'ApiKeyVariable'.");
        }

        var endpoint = ReadEndpoint(descriptor, settings);
        if (_compatible && endpoint is null)
        {
            throw Invalid(descriptor, settings, "Endpoint",
                "Provider 'openai-compatible' needs the server's base address, for example \"http://localhost:11434/v1\".");
        }

        var keyVariable = settings["ApiKeyVariable"];
        if (string.IsNullOrWhiteSpace(keyVariable))
        {
            keyVariable = _compatible ? null : OpenAIChatModelOptions.DefaultApiKeyEnvironmentVariable;
        }

        var options = new OpenAIChatModelOptions
        {
            Model = settings["Model"] ?? descriptor.ModelId,
            Endpoint = endpoint,
            ApiKeyEnvironmentVariable = keyVariable,
            RequireApiKey = ReadBoolean(descriptor, settings, "RequireApiKey") ?? keyVariable is not null,
            Organization = settings["Organization"],
            Project = settings["Project"],
            MaxRetries = ReadInt32(descriptor, settings, "MaxRetries") ?? 0,
            NetworkTimeout = ReadTimeSpan(descriptor, settings, "NetworkTimeout"),
            Descriptor = descriptor,
        };

        try
        {
            return OpenAIChatModels.Create(options);
        }
        catch (ArgumentException ex)
        {
            throw new HybridAIException($"Model '{descriptor.Name}' ({settings.Path}) is not configured correctly: {ex.Message}", ex);
        }
    }

    private static Uri? ReadEndpoint(ModelDescriptor descriptor, IConfigurationSection settings)
    {
        var text = settings["Endpoint"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw Invalid(descriptor, settings, "Endpoint", "It must be an absolute http or https address, for example \"http://localhost:8000/v1\".");
    }

    private static bool? ReadBoolean(ModelDescriptor descriptor, IConfigurationSection settings, string key) =>
        settings[key] is not { } text ? null
        : bool.TryParse(text, out var value) ? value
        : throw Invalid(descriptor, settings, key, "It must be true or false.");

    private static int? ReadInt32(ModelDescriptor descriptor, IConfigurationSection settings, string key) =>
        settings[key] is not { } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
        : throw Invalid(descriptor, settings, key, "It must be a whole number, 0 or more.");

    private static TimeSpan? ReadTimeSpan(ModelDescriptor descriptor, IConfigurationSection settings, string key)
    {
        if (settings[key] is not { } text)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw Invalid(descriptor, settings, key, "It must be a number of seconds (30) or a time span (00:00:30).");
    }

    private static HybridAIException Invalid(ModelDescriptor descriptor, IConfigurationSection settings, string key, string why) =>
        new($"Model '{descriptor.Name}': setting '{settings.Path}:{key}' is invalid. {why}");
}
