using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace HybridAI.Gemini;

/// <summary>
/// Builds <see cref="GeminiChatModel"/>s from configuration for models whose provider is <c>"gemini"</c>.
/// </summary>
/// <remarks>
/// <para>Keys read from the model's section (all optional unless stated):</para>
/// <list type="bullet">
/// <item><c>Model</c>: Gemini's model id; defaults to the descriptor's model id.</item>
/// <item><c>Backend</c>: <c>DeveloperApi</c> (default) or <c>VertexAI</c>; when absent, <c>GOOGLE_GENAI_USE_VERTEXAI=true</c> selects Vertex AI.</item>
/// <item><c>ApiKeyVariable</c>: the environment variable holding the Developer API key; when absent, <c>GEMINI_API_KEY</c>
/// then <c>GOOGLE_API_KEY</c>. The key itself is never read from configuration files.</item>
/// <item><c>Project</c> (required for Vertex AI; default <c>GOOGLE_CLOUD_PROJECT</c>) and <c>Location</c>
/// (default <c>GOOGLE_CLOUD_LOCATION</c>, then <c>global</c>).</item>
/// <item><c>BaseAddress</c>: an absolute URL that replaces Google's host (proxy, private endpoint, test server).</item>
/// <item><c>ApiVersion</c>, <c>MaxRetries</c> (default 0), <c>UseOpenApiResponseSchema</c> (default false).</item>
/// </list>
/// <para>
/// Vertex AI tokens come from Application Default Credentials. The HTTP client comes from <c>IHttpClientFactory</c>
/// (named <see cref="HttpClientName"/>) when one was given. Thread-safe.
/// </para>
/// </remarks>
public sealed class GeminiChatModelProvider : IChatModelProvider
{
    /// <summary>The name of the <c>IHttpClientFactory</c> client the models use, so that it can be configured (proxy, resilience).</summary>
    public const string HttpClientName = "HybridAI.Gemini";

    private readonly IHttpClientFactory? _httpClientFactory;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly Func<string, string?> _environment;
    private readonly Func<CancellationToken, ValueTask<string>>? _accessTokenProvider;

    /// <summary>Creates the provider.</summary>
    /// <param name="httpClientFactory">Where HTTP clients come from; when null each model owns its own client.</param>
    /// <param name="loggerFactory">Where models log retries and failures; null for no logging.</param>
    /// <param name="timeProvider">The clock for retry delays; defaults to <see cref="TimeProvider.System"/>.</param>
    public GeminiChatModelProvider(IHttpClientFactory? httpClientFactory = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(httpClientFactory, loggerFactory, timeProvider, Environment.GetEnvironmentVariable, accessTokenProvider: null)
    {
    }

    /// <summary>Creates the provider with a fake environment and token source (tests).</summary>
    internal GeminiChatModelProvider(
        IHttpClientFactory? httpClientFactory,
        ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider,
        Func<string, string?> environment,
        Func<CancellationToken, ValueTask<string>>? accessTokenProvider)
    {
        _httpClientFactory = httpClientFactory;
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _environment = environment;
        _accessTokenProvider = accessTokenProvider;
    }

    /// <inheritdoc />
    public string Name => "gemini";

    /// <inheritdoc />
    public IChatModel CreateModel(ModelDescriptor descriptor, IConfigurationSection settings)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(settings);
        var options = ReadOptions(descriptor, settings);
        var httpClient = _httpClientFactory?.CreateClient(HttpClientName);
        var logger = _loggerFactory?.CreateLogger("HybridAI.Gemini");
        return new GeminiChatModel(options, descriptor, httpClient, logger);
    }

    internal GeminiChatModelOptions ReadOptions(ModelDescriptor descriptor, IConfigurationSection settings)
    {
        var options = new GeminiChatModelOptions
        {
            Model = NonEmpty(settings["Model"]) ?? descriptor.ModelId,
            TimeProvider = _timeProvider,
            AccessTokenProvider = _accessTokenProvider,
        };

        if (NonEmpty(settings["Backend"]) is { } backend)
        {
            options.Backend = backend.ToUpperInvariant() switch
            {
                "DEVELOPERAPI" or "GEMINIAPI" => GeminiBackend.DeveloperApi,
                "VERTEXAI" or "VERTEX" => GeminiBackend.VertexAI,
                _ => throw Invalid(settings, "Backend", $"'{backend}' is not a back end; use 'DeveloperApi' or 'VertexAI'."),
            };
        }
        else if (string.Equals(_environment("GOOGLE_GENAI_USE_VERTEXAI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            options.Backend = GeminiBackend.VertexAI;
        }

        if (options.Backend == GeminiBackend.DeveloperApi)
        {
            if (NonEmpty(settings["ApiKeyVariable"]) is { } variable)
            {
                options.ApiKey = NonEmpty(_environment(variable))
                    ?? throw Invalid(settings, "ApiKeyVariable", $"the environment variable '{variable}' it names is not set.");
            }
            else
            {
                options.ApiKey = NonEmpty(_environment("GEMINI_API_KEY")) ?? NonEmpty(_environment("GOOGLE_API_KEY"))
                    ?? throw Invalid(settings, "ApiKeyVariable",
                        "no API key: set GEMINI_API_KEY or GOOGLE_API_KEY, or name another environment variable in 'ApiKeyVariable'.");
            }
        }
        else
        {
            options.Project = NonEmpty(settings["Project"]) ?? NonEmpty(_environment("GOOGLE_CLOUD_PROJECT"))
                ?? throw Invalid(settings, "Project", "Vertex AI needs a Google Cloud project (or GOOGLE_CLOUD_PROJECT).");
            options.Location = NonEmpty(settings["Location"]) ?? NonEmpty(_environment("GOOGLE_CLOUD_LOCATION")) ?? "global";
        }

        if (NonEmpty(settings["BaseAddress"]) is { } address)
        {
            options.BaseAddress = Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                ? uri
                : throw Invalid(settings, "BaseAddress", $"'{address}' is not an absolute http or https URL.");
        }

        options.ApiVersion = NonEmpty(settings["ApiVersion"]);
        if (NonEmpty(settings["MaxRetries"]) is { } retries)
        {
            options.MaxRetries = int.TryParse(retries, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                ? count
                : throw Invalid(settings, "MaxRetries", $"'{retries}' is not a whole number of zero or more.");
        }

        if (NonEmpty(settings["UseOpenApiResponseSchema"]) is { } openApi)
        {
            options.UseOpenApiResponseSchema = bool.TryParse(openApi, out var flag)
                ? flag
                : throw Invalid(settings, "UseOpenApiResponseSchema", $"'{openApi}' is not true or false.");
        }

        return options;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static HybridAIException Invalid(IConfigurationSection settings, string key, string problem) =>
        new($"Gemini model configuration '{settings.Path}:{key}' is invalid: {problem}");
}
