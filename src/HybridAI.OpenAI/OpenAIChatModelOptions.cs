namespace HybridAI.OpenAI;

/// <summary>Settings for a chat model served by OpenAI or by any OpenAI-compatible endpoint.</summary>
/// <remarks>
/// <para>
/// The same adapter serves OpenAI, Azure OpenAI (its <c>/openai/v1/</c> endpoint) and OpenAI-compatible servers such as vLLM,
/// the llama.cpp server and Ollama: set <see cref="Endpoint"/> to the server's <c>/v1</c> base address.
/// </para>
/// <para>
/// The API key comes from <see cref="ApiKey"/> when set, otherwise from the environment variable named by
/// <see cref="ApiKeyEnvironmentVariable"/>. It is never written to messages, logs or traces.
/// </para>
/// <para>Options are read once, when the model is created; changing them afterwards has no effect on that model. Not thread-safe.</para>
/// </remarks>
public sealed class OpenAIChatModelOptions
{
    /// <summary>The environment variable the OpenAI SDKs read the API key from.</summary>
    public const string DefaultApiKeyEnvironmentVariable = "OPENAI_API_KEY";

    /// <summary>
    /// Gets or sets the provider's model id, for example <c>"gpt-4o-mini"</c> or <c>"llama3.1:8b"</c>.
    /// Required unless <see cref="Descriptor"/> is set, whose <see cref="ModelDescriptor.ModelId"/> is then used.
    /// </summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the base address of the API, up to and including its version segment, for example
    /// <c>https://my-resource.openai.azure.com/openai/v1/</c> or <c>http://localhost:11434/v1</c>.
    /// <see langword="null"/> means OpenAI itself (<c>https://api.openai.com/v1</c>).
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// Gets or sets the API key. Prefer <see cref="ApiKeyEnvironmentVariable"/>, so that the key stays out of code and
    /// configuration files. When set, it takes precedence over the environment variable.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets the name of the environment variable that holds the API key, used when <see cref="ApiKey"/> is not set.
    /// Defaults to <c>OPENAI_API_KEY</c>; <see langword="null"/> reads no variable.
    /// </summary>
    public string? ApiKeyEnvironmentVariable { get; set; } = DefaultApiKeyEnvironmentVariable;

    /// <summary>
    /// Gets or sets a value telling whether a key is required (the default). Set it to <see langword="false"/> for a local
    /// OpenAI-compatible server that needs none: when no key is found, requests are then sent without an
    /// <c>Authorization</c> header instead of failing with <see cref="ChatModelErrorKind.Authentication"/>.
    /// </summary>
    public bool RequireApiKey { get; set; } = true;

    /// <summary>Gets or sets the OpenAI organization id sent with each request, if any.</summary>
    public string? Organization { get; set; }

    /// <summary>Gets or sets the OpenAI project id sent with each request, if any.</summary>
    public string? Project { get; set; }

    /// <summary>
    /// Gets or sets how many times the OpenAI SDK itself retries a failed request. Defaults to 0, because HybridAI's strategy
    /// layer owns retries and fallbacks; raise it when the model is used on its own.
    /// </summary>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets how long one HTTP request may take before it fails with <see cref="ChatModelErrorKind.Timeout"/>; <see langword="null"/> keeps the SDK's default (100 seconds).</summary>
    public TimeSpan? NetworkTimeout { get; set; }

    /// <summary>
    /// Gets or sets what the model is (name, locality, capabilities, context window, cost). When <see langword="null"/>, the
    /// model is named after <see cref="Model"/>, served by provider <c>"openai"</c>, runs at a partner and supports streaming,
    /// tools and JSON schema output. Its <see cref="ModelDescriptor.ModelId"/> is replaced by <see cref="Model"/> when that is set.
    /// </summary>
    public ModelDescriptor? Descriptor { get; set; }
}
