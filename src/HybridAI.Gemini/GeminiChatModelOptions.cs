namespace HybridAI.Gemini;

/// <summary>Settings of a <see cref="GeminiChatModel"/>: the back end, the model, the credentials and the retry policy.</summary>
/// <remarks>
/// The model copies what it needs when it is created; changing the options afterwards has no effect on it.
/// Secrets (<see cref="ApiKey"/>, tokens from <see cref="AccessTokenProvider"/>) never appear in exceptions, logs or traces.
/// </remarks>
public sealed class GeminiChatModelOptions
{
    /// <summary>The scope requested for Vertex AI tokens from Application Default Credentials.</summary>
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    /// <summary>Gets or sets the back end. Defaults to <see cref="GeminiBackend.DeveloperApi"/>.</summary>
    public GeminiBackend Backend { get; set; } = GeminiBackend.DeveloperApi;

    /// <summary>Gets or sets the Gemini model id, for example <c>gemini-2.5-flash</c> (a leading <c>models/</c> is accepted). Required.</summary>
    public string? Model { get; set; }

    /// <summary>
    /// Gets or sets the API key for the Developer API, sent in the <c>x-goog-api-key</c> header. Required for
    /// <see cref="GeminiBackend.DeveloperApi"/>; never sent to Vertex AI. Read it from a secret store or an environment variable
    /// (<c>GEMINI_API_KEY</c>, <c>GOOGLE_API_KEY</c>), never from a committed file.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the Google Cloud project id. Required for <see cref="GeminiBackend.VertexAI"/>.</summary>
    public string? Project { get; set; }

    /// <summary>
    /// Gets or sets the Vertex AI location, for example <c>us-central1</c>, <c>europe-west4</c> or <c>global</c>.
    /// Defaults to <c>global</c>.
    /// </summary>
    public string Location { get; set; } = "global";

    /// <summary>
    /// Gets or sets the address that replaces Google's (scheme, host, port and an optional path prefix), for a proxy, a private
    /// endpoint or a test server. The API path (<c>v1beta/models/...</c> or <c>v1/projects/...</c>) is appended to it.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Gets or sets the API version in the path. Defaults to <c>v1beta</c> for the Developer API and <c>v1</c> for Vertex AI.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>
    /// Gets or sets where Vertex AI bearer tokens come from. The function is called before each request and should cache tokens
    /// itself. When null, Application Default Credentials (<c>GoogleCredential.GetApplicationDefaultAsync()</c>) scoped to
    /// <see cref="CloudPlatformScope"/> are used.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? AccessTokenProvider { get; set; }

    /// <summary>
    /// Gets or sets how many times a failed call is tried again (HTTP 408, 429, 500, 502, 503, 504 or a connection failure).
    /// Defaults to 0: no retries, so that the strategy layer decides. A streamed call is never retried once the answer has begun.
    /// </summary>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets the delay before the first retry; each later retry doubles it, with jitter. Defaults to one second.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the longest delay the model waits before a retry. When the service asks for a longer wait
    /// (<c>google.rpc.RetryInfo</c> or <c>Retry-After</c>), the call fails at once with <see cref="ChatModelException.RetryAfter"/> set.
    /// Defaults to 30 seconds.
    /// </summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets a value telling whether JSON output schemas are sent as <c>responseSchema</c> (Gemini's OpenAPI subset)
    /// instead of <c>responseJsonSchema</c> (JSON Schema, the default). Use it for models or endpoints that lack <c>responseJsonSchema</c>.
    /// </summary>
    public bool UseOpenApiResponseSchema { get; set; }

    /// <summary>Gets or sets the clock used for retry delays. Defaults to <see cref="TimeProvider.System"/>; tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
