using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>Presents any <see cref="IChatClient"/> as an <see cref="IChatModel"/> with a descriptor.</summary>
/// <remarks>
/// Thread safety is that of the wrapped client. Failures that carry no HybridAI kind (<see cref="HttpRequestException"/>,
/// <see cref="TimeoutException"/>) are translated into <see cref="ChatModelException"/>; cancellation is passed through.
/// Disposing the model disposes the wrapped client.
/// </remarks>
internal sealed class ChatClientChatModel : DelegatingChatClient, IChatModel
{
    public ChatClientChatModel(IChatClient innerClient, ModelDescriptor descriptor)
        : base(innerClient)
    {
        Descriptor = descriptor;
    }

    public ModelDescriptor Descriptor { get; }

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
        {
            throw translated;
        }

        await using (updates.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                yield return updates.Current;
            }
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(Descriptor))
        {
            return Descriptor;
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>Maps a failure of the wrapped client to a <see cref="ChatModelException"/>, or null to let it pass unchanged.</summary>
    private ChatModelException? Translate(Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case ChatModelException:
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return null;
            case TimeoutException or OperationCanceledException:
                return new ChatModelException(ChatModelErrorKind.Timeout, Descriptor.Name,
                    $"Model '{Descriptor.Name}' did not answer in time.", exception);
            case HttpRequestException http:
                var kind = http.StatusCode switch
                {
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ChatModelErrorKind.Authentication,
                    HttpStatusCode.TooManyRequests => ChatModelErrorKind.RateLimited,
                    HttpStatusCode.BadRequest => ChatModelErrorKind.InvalidRequest,
                    HttpStatusCode.NotFound => ChatModelErrorKind.Unavailable,
                    HttpStatusCode.RequestTimeout or HttpStatusCode.GatewayTimeout => ChatModelErrorKind.Timeout,
                    null => ChatModelErrorKind.Unavailable,
                    _ => ChatModelErrorKind.Transient,
                };
                return new ChatModelException(kind, Descriptor.Name,
                    $"Model '{Descriptor.Name}' failed: {(http.StatusCode is { } code ? $"HTTP {(int)code}" : "the endpoint could not be reached")}.",
                    exception)
                {
                    StatusCode = (int?)http.StatusCode,
                };
            default:
                return null;
        }
    }
}
