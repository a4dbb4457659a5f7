using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HybridAI.Gemini;

/// <summary>
/// A Gemini model reached through its REST API, on the Gemini Developer API or on Vertex AI, presented as an
/// <see cref="IChatModel"/> (and so as a Microsoft.Extensions.AI <see cref="IChatClient"/>).
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: one instance serves concurrent calls. Failures surface as <see cref="ChatModelException"/> (never with the API
/// key or token in them); cancellation as <see cref="OperationCanceledException"/>. A prompt that Gemini blocks
/// (<c>promptFeedback.blockReason</c>) fails with <see cref="ChatModelErrorKind.ContentFiltered"/>; an answer that Gemini stops for
/// safety or policy reasons is returned with <see cref="ChatFinishReason.ContentFilter"/>.
/// </para>
/// <para>
/// Thought signatures are kept on the returned contents and sent back on the next turn; see <see cref="GeminiConversation"/>
/// for where they are kept and how to remove them before another model sees the conversation.
/// </para>
/// <para>
/// Disposing the model disposes the <see cref="HttpClient"/> only when the model created it.
/// </para>
/// </remarks>
public sealed class GeminiChatModel : IChatModel
{
    private readonly HttpClient _httpClient;
    private readonly bool _ownsHttpClient;
    private readonly ILogger _logger;
    private readonly GeminiEndpoint _endpoint;
    private readonly GeminiErrors _errors;
    private readonly string _model;
    private readonly string? _apiKey;
    private readonly Func<CancellationToken, ValueTask<string>>? _accessTokenProvider;
    private readonly int _maxRetries;
    private readonly TimeSpan _retryBaseDelay;
    private readonly TimeSpan _retryMaxDelay;
    private readonly bool _useOpenApiResponseSchema;
    private readonly TimeProvider _timeProvider;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a model.</summary>
    /// <param name="options">The back end, model, credentials and retry policy. They are copied; later changes have no effect.</param>
    /// <param name="descriptor">What the model is; by default a descriptor named after the model, provider <c>"gemini"</c>,
    /// with streaming, tools, JSON schema and images.</param>
    /// <param name="httpClient">The client to send requests with (for example from <c>IHttpClientFactory</c>); the model does not
    /// dispose it. When null the model creates and owns one.</param>
    /// <param name="logger">Where retries and failures are logged; never with keys, tokens or conversation text.</param>
    /// <exception cref="ArgumentException">The options lack the model, the API key (Developer API) or the project (Vertex AI).</exception>
    public GeminiChatModel(GeminiChatModelOptions options, ModelDescriptor? descriptor = null, HttpClient? httpClient = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model, nameof(options) + "." + nameof(options.Model));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options) + "." + nameof(options.MaxRetries));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options) + "." + nameof(options.TimeProvider));
        if (options.Backend == GeminiBackend.DeveloperApi)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiKey, nameof(options) + "." + nameof(options.ApiKey));
            _apiKey = options.ApiKey;
        }
        else
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(options.Project, nameof(options) + "." + nameof(options.Project));
            _accessTokenProvider = options.AccessTokenProvider ?? new ApplicationDefaultCredentialTokenSource().GetTokenAsync;
        }

        _model = options.Model;
        _endpoint = new GeminiEndpoint(options.Backend, options.Project, options.Location, options.BaseAddress, options.ApiVersion);
        Descriptor = descriptor ?? new ModelDescriptor(_model, "gemini", _model)
        {
            Capabilities = ModelCapabilities.Streaming | ModelCapabilities.Tools | ModelCapabilities.JsonSchema | ModelCapabilities.Images,
        };
        _errors = new GeminiErrors(Descriptor.Name, _model, _apiKey);
        _maxRetries = options.MaxRetries;
        _retryBaseDelay = options.RetryBaseDelay;
        _retryMaxDelay = options.RetryMaxDelay;
        _useOpenApiResponseSchema = options.UseOpenApiResponseSchema;
        _timeProvider = options.TimeProvider;
        _logger = logger ?? NullLogger.Instance;
        _metadata = new ChatClientMetadata("gemini", _endpoint.ServiceAddress, _model);
        if (httpClient is null)
        {
            // Thinking models can take minutes before the first byte of an unstreamed answer; HttpClient's 100 s default is too short.
            _httpClient = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            {
                Timeout = TimeSpan.FromMinutes(10),
            };
            _ownsHttpClient = true;
        }
        else
        {
            _httpClient = httpClient;
        }
    }

    /// <inheritdoc />
    public ModelDescriptor Descriptor { get; }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var body = Serialize(messages, options);
        using var response = await SendAsync(body, options?.ModelId, stream: false, cancellationToken).ConfigureAwait(false);

        GeminiGenerateContentResponse? parsed;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                parsed = await JsonSerializer.DeserializeAsync(stream, GeminiJsonContext.Default.GeminiGenerateContentResponse, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (JsonException ex)
        {
            throw Fail(_errors.Create(ChatModelErrorKind.MalformedResponse, "the response is not valid JSON.", ex));
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw Fail(_errors.Create(ChatModelErrorKind.Transient, "the connection dropped while the response was read.", ex));
        }

        if (parsed is null)
        {
            throw Fail(_errors.Create(ChatModelErrorKind.MalformedResponse, "the response is empty."));
        }

        ThrowIfFailed(parsed);
        return GeminiResponseMapper.ToChatResponse(parsed);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var body = Serialize(messages, options);

        // Retries happen only here, before the first byte of the answer: once it streams, a failure goes to the caller.
        using var response = await SendAsync(body, options?.ModelId, stream: true, cancellationToken).ConfigureAwait(false);
        var stream = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        await using var _ = stream.ConfigureAwait(false);
        using var reader = new ServerSentEventReader(stream);

        string? finishReason = null;
        GeminiCandidate? finalCandidate = null;
        GeminiUsageMetadata? usage = null;
        string? responseId = null;
        string? modelVersion = null;
        DateTimeOffset? createdAt = null;
        var hasFunctionCalls = false;

        while (await ReadChunkAsync(reader, cancellationToken).ConfigureAwait(false) is { } chunk)
        {
            ThrowIfFailed(chunk);
            responseId ??= chunk.ResponseId;
            modelVersion ??= chunk.ModelVersion;
            createdAt ??= chunk.CreateTime;
            usage = chunk.UsageMetadata ?? usage;

            var candidate = chunk.Candidates is { Count: > 0 } candidates ? candidates[0] : null;
            if (candidate?.FinishReason is { Length: > 0 } reason)
            {
                finishReason = reason;
                finalCandidate = candidate;
            }

            var contents = GeminiResponseMapper.MapParts(candidate?.Content?.Parts, out var chunkHasCalls);
            hasFunctionCalls |= chunkHasCalls;
            if (contents.Count == 0)
            {
                continue;
            }

            var update = new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = chunk.ResponseId,
                MessageId = chunk.ResponseId,
                ModelId = chunk.ModelVersion,
                CreatedAt = chunk.CreateTime,
                RawRepresentation = chunk,
            };

            // MEAI merges streamed text items and keeps only the first one's properties; the message keeps the signature too.
            foreach (var content in contents)
            {
                if (content is TextContent or TextReasoningContent
                    && GeminiConversation.GetThoughtSignature(content.AdditionalProperties) is { } signature)
                {
                    (update.AdditionalProperties ??= [])[GeminiConversation.ThoughtSignatureKey] = signature;
                }
            }

            yield return update;
        }

        if (finishReason is null)
        {
            throw Fail(_errors.Create(ChatModelErrorKind.Transient,
                "the stream ended before the final chunk (no finishReason); the answer is incomplete."));
        }

        var final = new ChatResponseUpdate(ChatRole.Assistant, [])
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = modelVersion,
            CreatedAt = createdAt,
            FinishReason = GeminiFinishReasons.Map(finishReason, hasFunctionCalls),
        };
        if (GeminiResponseMapper.ToUsage(usage) is { } details)
        {
            final.Contents.Add(new UsageContent(details));
        }

        var properties = new AdditionalPropertiesDictionary();
        GeminiResponseMapper.AddFinishDetails(properties, finalCandidate);
        final.AdditionalProperties = properties;
        yield return final;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ModelDescriptor))
        {
            return Descriptor;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _httpClient.Dispose();
        }
    }

    private byte[] Serialize(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var request = GeminiRequestBuilder.Build(messages, options, _useOpenApiResponseSchema);
        return JsonSerializer.SerializeToUtf8Bytes(request, GeminiJsonContext.Default.GeminiGenerateContentRequest);
    }

    /// <summary>Sends the request, retrying failures that may pass when the options allow it, and returns a successful response.</summary>
    private async Task<HttpResponseMessage> SendAsync(byte[] body, string? modelOverride, bool stream, CancellationToken cancellationToken)
    {
        var uri = _endpoint.GetUri(string.IsNullOrWhiteSpace(modelOverride) ? _model : modelOverride, stream);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            await AuthorizeAsync(request, cancellationToken).ConfigureAwait(false);

            HttpResponseMessage response;
            try
            {
                response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                if (attempt < _maxRetries)
                {
                    await WaitBeforeRetryAsync(Backoff(attempt), "a connection failure", attempt, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw Fail(_errors.Create(ChatModelErrorKind.Unavailable, "the endpoint could not be reached.", ex));
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw Fail(_errors.Create(ChatModelErrorKind.Timeout, "the request timed out.", ex));
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            ChatModelException failure;
            using (response)
            {
                failure = await ReadFailureAsync(response, cancellationToken).ConfigureAwait(false);
            }

            var status = (int)response.StatusCode;
            if (attempt < _maxRetries && GeminiErrors.IsRetriable(status))
            {
                var delay = failure.RetryAfter ?? Backoff(attempt);
                if (delay <= _retryMaxDelay)
                {
                    await WaitBeforeRetryAsync(delay, "HTTP " + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), attempt, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            throw Fail(failure);
        }
    }

    private async Task AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("x-goog-api-key", _apiKey);
            return;
        }

        string token;
        try
        {
            token = await _accessTokenProvider!(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Fail(_errors.Create(ChatModelErrorKind.Authentication,
                "no access token for Vertex AI could be obtained (check Application Default Credentials).", ex));
        }

        if (string.IsNullOrEmpty(token))
        {
            throw Fail(_errors.Create(ChatModelErrorKind.Authentication, "the access token source returned an empty token."));
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private async Task<ChatModelException> ReadFailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            body = [];
        }

        return _errors.FromError((int)response.StatusCode, GeminiErrors.ParseBody(body), response.Headers.RetryAfter, _timeProvider.GetUtcNow());
    }

    private async Task<Stream> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw Fail(_errors.Create(ChatModelErrorKind.Transient, "the connection dropped before the stream began.", ex));
        }
    }

    private async Task<GeminiGenerateContentResponse?> ReadChunkAsync(ServerSentEventReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadOnlyMemory<byte>? data;
            try
            {
                data = await reader.ReadEventDataAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                throw Fail(_errors.Create(ChatModelErrorKind.Transient, "the connection dropped while the answer streamed.", ex));
            }

            if (data is not { } bytes)
            {
                return null;
            }

            if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty)
            {
                continue;
            }

            try
            {
                return JsonSerializer.Deserialize(bytes.Span, GeminiJsonContext.Default.GeminiGenerateContentResponse)
                    ?? throw Fail(_errors.Create(ChatModelErrorKind.MalformedResponse, "a streamed chunk is null."));
            }
            catch (JsonException ex)
            {
                throw Fail(_errors.Create(ChatModelErrorKind.MalformedResponse, "a streamed chunk is not valid JSON.", ex));
            }
        }
    }

    /// <summary>Throws for an error object in the body or the stream, and for a blocked prompt.</summary>
    private void ThrowIfFailed(GeminiGenerateContentResponse response)
    {
        if (response.Error is { } error)
        {
            throw Fail(_errors.FromError(httpStatus: null, error, retryAfterHeader: null, _timeProvider.GetUtcNow()));
        }

        if (response.Candidates is not { Count: > 0 } && GeminiFinishReasons.IsBlocked(response.PromptFeedback?.BlockReason))
        {
            var feedback = response.PromptFeedback!;
            var why = feedback.BlockReasonMessage is { Length: > 0 } text ? $" ({text})" : string.Empty;
            throw Fail(new ChatModelException(ChatModelErrorKind.ContentFiltered, Descriptor.Name,
                $"Gemini model '{Descriptor.Name}' ({_model}) blocked the prompt: {feedback.BlockReason}{_errors.Redact(why)}.")
            {
                ProviderErrorCode = feedback.BlockReason,
            });
        }
    }

    private ChatModelException Fail(ChatModelException exception)
    {
        GeminiLog.Failed(_logger, Descriptor.Name, exception.Kind, exception.StatusCode);
        return exception;
    }

    /// <summary>Exponential backoff with equal jitter: half the doubled delay plus a random share of the other half.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = _retryBaseDelay * Math.Pow(2, Math.Min(attempt, 30));
        if (ceiling > _retryMaxDelay)
        {
            ceiling = _retryMaxDelay;
        }

#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        return (ceiling / 2) + (ceiling / 2 * Random.Shared.NextDouble());
#pragma warning restore CA5394
    }

    private async Task WaitBeforeRetryAsync(TimeSpan delay, string failure, int attempt, CancellationToken cancellationToken)
    {
        GeminiLog.Retrying(_logger, Descriptor.Name, delay, failure, attempt + 1, _maxRetries);
        await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
    }
}
