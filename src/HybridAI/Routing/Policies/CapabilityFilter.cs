using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// Rejects models that lack what the call needs: capabilities named in the routing context, those the call implies
/// (tools in the options, a JSON schema response format, images in the messages) and a minimum context window.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal sealed class CapabilityFilter : IRoutingPolicy
{
    public static CapabilityFilter Instance { get; } = new();

    public string Name => "capability";

    public static ModelCapabilities Required(RoutingCall call)
    {
        var required = call.Context?.RequiredCapabilities ?? ModelCapabilities.None;
        if (call.Options is { } options)
        {
            if (options.Tools is { Count: > 0 })
            {
                required |= ModelCapabilities.Tools;
            }

            if (options.ResponseFormat is ChatResponseFormatJson { Schema: not null })
            {
                required |= ModelCapabilities.JsonSchema;
            }
        }

        if (HasImages(call.Messages))
        {
            required |= ModelCapabilities.Images;
        }

        return required;
    }

    public void Apply(RoutingCall call)
    {
        var required = Required(call);
        var minimumWindow = call.Context?.MinimumContextWindow;
        if (required == ModelCapabilities.None && minimumWindow is null)
        {
            return;
        }

        var acted = false;
        for (var i = 0; i < call.Count; i++)
        {
            var descriptor = call.Candidates[i].Descriptor;
            if (!descriptor.Supports(required))
            {
                call.Reject(i, Name, $"lacks {required & ~descriptor.Capabilities}");
                acted = true;
            }
            else if (minimumWindow is { } window && (descriptor.ContextWindow ?? 0) < window)
            {
                call.Reject(i, Name, descriptor.ContextWindow is { } actual
                    ? $"context window {actual} is below the required {window}"
                    : $"context window unknown, {window} required");
                acted = true;
            }
        }

        if (acted)
        {
            call.Decision.AddDecidedBy(Name);
        }
    }

    private static bool HasImages(IEnumerable<ChatMessage> messages)
    {
        if (messages is IList<ChatMessage> list)
        {
            // Indexing avoids allocating an enumerator on the hot path.
            for (var i = 0; i < list.Count; i++)
            {
                if (HasImages(list[i]))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var message in messages)
        {
            if (HasImages(message))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasImages(ChatMessage message)
    {
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] switch
            {
                DataContent data => data.HasTopLevelMediaType("image"),
                UriContent uri => uri.HasTopLevelMediaType("image"),
                _ => false,
            })
            {
                return true;
            }
        }

        return false;
    }
}
