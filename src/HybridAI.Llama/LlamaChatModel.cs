using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.AI;

namespace HybridAI.Llama;

/// <summary>
/// A Llama-family model in a GGUF file, run in process by HybridAI's pure C# engine: data never leaves the machine
/// (<see cref="ModelLocality.InHouse"/>).
/// </summary>
/// <remarks>
/// <para>
/// Thread safety: safe to call concurrently. The model holds up to <see cref="LlamaChatModelOptions.MaxConcurrentContexts"/>
/// contexts (default 1); each call generates in a context of its own, and calls beyond that wait their turn, served in the
/// order they arrive. Waiting and generation never block the caller's thread: generation is CPU work that runs on the
/// thread pool and streams its text back. Cancelling a call stops it between tokens, or while it waits.
/// </para>
/// <para>
/// Multi-turn reuse: each context keeps the tokens of its last conversation. A call whose prompt starts with the same
/// tokens (the same conversation, one turn longer) evaluates only the new part.
/// </para>
/// <para>
/// Supported <see cref="ChatOptions"/>: <see cref="ChatOptions.MaxOutputTokens"/>, <see cref="ChatOptions.StopSequences"/>,
/// and the sampling options listed on <see cref="SamplingOptions"/>. Tools and JSON response formats are not supported and
/// are refused with <see cref="ChatModelErrorKind.InvalidRequest"/>, as are messages with non-text content or the tool role.
/// </para>
/// <para>The model owns the loaded file and its contexts; dispose it once no call is running.</para>
/// </remarks>
public sealed class LlamaChatModel : IChatModel
{
    private readonly ILlamaBackend _backend;
    private readonly LlamaContextPool _pool;
    private readonly ChatTemplate _template;
    private readonly LlamaChatModelOptions _options;
    private readonly int _contextSize;
    private readonly ChatClientMetadata _metadata;
    private int _disposed;

    /// <summary>Loads a model.</summary>
    /// <param name="options">The file and engine settings.</param>
    /// <param name="descriptor">
    /// How HybridAI knows the model (its name); null names it after the file. Locality, capabilities and context window are
    /// set from what the engine is: in-house, streaming, <see cref="LlamaChatModelOptions.ContextSize"/>.
    /// </param>
    /// <exception cref="HybridAIException">The options are invalid, or the chat template is not supported.</exception>
    /// <exception cref="ChatModelException">The file cannot be loaded (<see cref="ChatModelErrorKind.Unavailable"/>).</exception>
    public LlamaChatModel(LlamaChatModelOptions options, ModelDescriptor? descriptor = null)
        : this(options, LoadBackend(options, descriptor), descriptor)
    {
    }

    internal LlamaChatModel(LlamaChatModelOptions options, ILlamaBackend backend, ModelDescriptor? descriptor = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(backend);
        options.Validate();
        _options = options;
        _backend = backend;
        _contextSize = options.ContextSize;
        try
        {
            _template = ChatTemplate.Resolve(options.ChatTemplate, backend.ChatTemplate);
        }
        catch
        {
            backend.Dispose();
            throw;
        }

        Descriptor = Describe(options, descriptor);
        var kvCacheType = options.KvCacheType;
        _pool = new LlamaContextPool(() => backend.CreateDecoder(_contextSize, kvCacheType), options.MaxConcurrentContexts);
        _metadata = new ChatClientMetadata("llama", null, Descriptor.ModelId);
    }

    /// <inheritdoc />
    public ModelDescriptor Descriptor { get; }

    /// <summary>Gets the chat template family in use (llama.cpp's name, for example <c>"llama3"</c>).</summary>
    public string ChatTemplateName => _template.Name;

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        string? responseId = null;
        string? messageId = null;
        ChatFinishReason? finishReason = null;
        UsageDetails? usage = null;
        DateTimeOffset? createdAt = null;
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            responseId ??= update.ResponseId;
            messageId ??= update.MessageId;
            createdAt ??= update.CreatedAt;
            finishReason = update.FinishReason ?? finishReason;
            foreach (var content in update.Contents)
            {
                switch (content)
                {
                    case TextContent t:
                        text.Append(t.Text);
                        break;
                    case UsageContent u:
                        usage = u.Details;
                        break;
                }
            }
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.ToString()) { MessageId = messageId })
        {
            ResponseId = responseId,
            ModelId = Descriptor.ModelId,
            CreatedAt = createdAt,
            FinishReason = finishReason,
            Usage = usage,
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var request = Prepare(messages, options);

        await _pool.WaitTurnAsync(cancellationToken).ConfigureAwait(false);
        var channel = Channel.CreateUnbounded<ChatResponseUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => Generate(request, channel.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var update in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            // The caller may stop reading early: stop generating, and wait so that the context is back before returning.
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
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

    /// <summary>Releases the contexts and the model file. Call it once no call is running.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _pool.Dispose();
        _backend.Dispose();
    }

    private static ILlamaBackend LoadBackend(LlamaChatModelOptions options, ModelDescriptor? descriptor)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return LlamaBackendLoader.Load(options, descriptor?.Name ?? DefaultName(options));
    }

    private static string DefaultName(LlamaChatModelOptions options) => Path.GetFileNameWithoutExtension(options.ModelPath);

    private static ModelDescriptor Describe(LlamaChatModelOptions options, ModelDescriptor? descriptor)
    {
        var name = DefaultName(options);
        var baseDescriptor = descriptor ?? new ModelDescriptor(string.IsNullOrWhiteSpace(name) ? "llama" : name, "llama");
        return baseDescriptor with
        {
            Locality = ModelLocality.InHouse,
            Capabilities = ModelCapabilities.Streaming,
            ContextWindow = options.ContextSize,
        };
    }

    /// <summary>Checks a call and renders its prompt, on the caller's thread (cheap), so that bad requests fail before waiting.</summary>
    private GenerationRequest Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        if (options?.Tools is { Count: > 0 })
        {
            throw Refuse("tools (function calling) are not supported by the in-process Llama engine");
        }

        if (options?.ResponseFormat is ChatResponseFormatJson)
        {
            throw Refuse("JSON response formats (JSON mode or a JSON schema) are not supported by the in-process Llama engine");
        }

        var turns = new List<ChatTurn>();
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message);
            turns.Add(new ChatTurn(RoleOf(message.Role), TextOf(message)));
        }

        if (turns.Count == 0)
        {
            throw Refuse("the conversation has no message");
        }

        SamplingOptions sampling;
        try
        {
            sampling = _options.Sampling.With(options);
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException)
        {
            throw new ChatModelException(ChatModelErrorKind.InvalidRequest, Descriptor.Name,
                $"Model '{Descriptor.Name}' refused the call: a sampling option is out of range ({ex.Message}).", ex);
        }

        var maxTokens = options?.MaxOutputTokens ?? _options.MaxOutputTokens;
        if (maxTokens is <= 0)
        {
            throw Refuse($"MaxOutputTokens must be positive; it is {maxTokens}");
        }

        var settings = new GenerationSettings
        {
            Sampling = sampling,
            FallbackSeed = unchecked((ulong)Random.Shared.NextInt64()),
            MaxTokens = maxTokens,
            StopSequences = options?.StopSequences is { } stops ? [.. stops] : [],
        };
        return new GenerationRequest(_template.Render(turns, addGenerationPrompt: true), settings);
    }

    private string RoleOf(ChatRole role)
    {
        if (role == ChatRole.System)
        {
            return "system";
        }

        if (role == ChatRole.User)
        {
            return "user";
        }

        if (role == ChatRole.Assistant)
        {
            return "assistant";
        }

        throw Refuse($"messages with the role '{role.Value}' are not supported (only system, user and assistant)");
    }

    private string TextOf(ChatMessage message)
    {
        if (message.Contents.Count == 1 && message.Contents[0] is TextContent single)
        {
            return single.Text;
        }

        var text = new StringBuilder();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case UsageContent:
                    break;
                default:
                    throw Refuse($"message content of type {content.GetType().Name} is not supported (text only)");
            }
        }

        return text.ToString();
    }

    private ChatModelException Refuse(string why) =>
        new(ChatModelErrorKind.InvalidRequest, Descriptor.Name, $"Model '{Descriptor.Name}' refused the call: {why}.");

    /// <summary>Runs on the thread pool during a turn: tokenizes, generates into a context, streams updates, ends the turn.</summary>
    private void Generate(GenerationRequest request, ChannelWriter<ChatResponseUpdate> writer, CancellationToken cancellationToken)
    {
        var responseId = Guid.NewGuid().ToString("N");
        var messageId = Guid.NewGuid().ToString("N");
        var createdAt = DateTimeOffset.UtcNow;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var tokenizer = _backend.Tokenizer;
            var prompt = tokenizer.Encode(request.Prompt, addSpecial: true, parseSpecial: true);
            if (prompt.Length >= _contextSize)
            {
                throw new ChatModelException(ChatModelErrorKind.ContextTooLong, Descriptor.Name,
                    $"Model '{Descriptor.Name}': the prompt has {prompt.Length} tokens; the context holds {_contextSize} (prompt and answer).");
            }

            var decoder = _pool.Take(prompt);
            GenerationResult result;
            try
            {
                result = TokenGenerator.Generate(decoder, tokenizer, prompt, request.Settings, token =>
                {
                    if (token.Text.Length > 0)
                    {
                        writer.TryWrite(new ChatResponseUpdate(ChatRole.Assistant, token.Text)
                        {
                            ResponseId = responseId,
                            MessageId = messageId,
                            ModelId = Descriptor.ModelId,
                            CreatedAt = createdAt,
                        });
                    }
                }, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The cache may hold tokens the record does not describe: start the next call from scratch.
                decoder.Truncate(0);
                throw;
            }
            finally
            {
                _pool.Return(decoder);
            }

            writer.TryWrite(new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails
            {
                InputTokenCount = result.PromptTokens,
                OutputTokenCount = result.GeneratedTokens,
                TotalTokenCount = result.PromptTokens + result.GeneratedTokens,
                CachedInputTokenCount = result.ReusedPromptTokens,
            })])
            {
                ResponseId = responseId,
                MessageId = messageId,
                ModelId = Descriptor.ModelId,
                CreatedAt = createdAt,
                FinishReason = result.FinishReason is GenerationFinishReason.EndOfGeneration or GenerationFinishReason.StopSequence
                    ? ChatFinishReason.Stop
                    : ChatFinishReason.Length,
            });
            writer.TryComplete();
        }
        catch (Exception ex)
        {
            writer.TryComplete(Translate(ex));
        }
        finally
        {
            _pool.EndTurn();
        }
    }

    private Exception Translate(Exception exception) => exception switch
    {
        ChatModelException or OperationCanceledException => exception,
        _ => new ChatModelException(ChatModelErrorKind.Unknown, Descriptor.Name,
            $"Model '{Descriptor.Name}' failed while generating: {exception.GetType().Name}.", exception),
    };

    private sealed record GenerationRequest(string Prompt, GenerationSettings Settings);
}
