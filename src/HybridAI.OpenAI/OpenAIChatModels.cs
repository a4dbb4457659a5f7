using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace HybridAI.OpenAI;

/// <summary>Creates <see cref="IChatModel"/>s served by OpenAI or by any OpenAI-compatible endpoint.</summary>
/// <remarks>
/// <para>
/// Models are built on the official OpenAI SDK; Microsoft.Extensions.AI.OpenAI maps messages, tools (function calling),
/// JSON schema response formats, temperature, max output tokens, stop sequences, seed and usage. Failures surface as
/// <see cref="ChatModelException"/> with a kind HybridAI's strategy layer acts on; messages name the model and never the key.
/// </para>
/// <para>The returned models are thread-safe. Thread-safe.</para>
/// </remarks>
public static class OpenAIChatModels
{
    private static readonly Uri s_openAIEndpoint = new("https://api.openai.com/v1");

    /// <summary>Creates a chat model.</summary>
    /// <param name="options">The model id, endpoint, key source and descriptor.</param>
    /// <returns>The model. The caller owns it.</returns>
    /// <exception cref="ChatModelException">
    /// Kind <see cref="ChatModelErrorKind.Authentication"/>: no API key was found and <see cref="OpenAIChatModelOptions.RequireApiKey"/> is on.
    /// The message names the environment variable to set (never a key).
    /// </exception>
    /// <exception cref="ArgumentException">The options are incomplete or out of range.</exception>
    public static IChatModel Create(OpenAIChatModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var modelId = !string.IsNullOrWhiteSpace(options.Model) ? options.Model.Trim() : options.Descriptor?.ModelId;
        if (string.IsNullOrWhiteSpace(modelId))
        {
            throw new ArgumentException("OpenAIChatModelOptions.Model must name the provider's model, for example \"gpt-4o-mini\".", nameof(options));
        }

        if (options.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)))
        {
            throw new ArgumentException("OpenAIChatModelOptions.Endpoint must be an absolute http or https address, for example \"http://localhost:11434/v1\".", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options));
        if (options.NetworkTimeout is { } timeout && timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "OpenAIChatModelOptions.NetworkTimeout must be positive.");
        }

        var descriptor = options.Descriptor is { } given
            ? given with { ModelId = modelId }
            : new ModelDescriptor(modelId, OpenAIChatModelProvider.OpenAIName)
            {
                Capabilities = ModelCapabilities.Streaming | ModelCapabilities.Tools | ModelCapabilities.JsonSchema,
            };

        var (apiKey, keySource) = FindApiKey(options);
        if (apiKey is null && options.RequireApiKey)
        {
            throw MissingApiKey(descriptor.Name, options.ApiKeyEnvironmentVariable);
        }

        var clientOptions = new OpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(options.MaxRetries),
            UserAgentApplicationId = "HybridAI",
        };
        if (options.Endpoint is not null)
        {
            clientOptions.Endpoint = options.Endpoint;
        }

        if (options.NetworkTimeout is { } networkTimeout)
        {
            clientOptions.NetworkTimeout = networkTimeout;
        }

        if (!string.IsNullOrWhiteSpace(options.Organization))
        {
            clientOptions.OrganizationId = options.Organization;
        }

        if (!string.IsNullOrWhiteSpace(options.Project))
        {
            clientOptions.ProjectId = options.Project;
        }

        if (apiKey is null)
        {
            clientOptions.AddPolicy(AnonymousRequestPolicy.Instance, PipelinePosition.BeforeTransport);
        }

        var chatClient = new ChatClient(modelId, new ApiKeyCredential(apiKey ?? AnonymousRequestPolicy.PlaceholderKey), clientOptions);

        var failures = new OpenAIFailureTranslator(descriptor.Name, options.Endpoint ?? s_openAIEndpoint, keySource, apiKey);
        return new OpenAIChatModel(chatClient.AsIChatClient(), descriptor, failures);
    }

    /// <summary>Presents an OpenAI SDK <see cref="ChatClient"/> that the caller built as an <see cref="IChatModel"/>.</summary>
    /// <param name="chatClient">The client, with its own endpoint, credential and pipeline options.</param>
    /// <param name="descriptor">What the model is.</param>
    /// <returns>The model. Failures surface as <see cref="ChatModelException"/>, like those of <see cref="Create"/>.</returns>
    public static IChatModel AsChatModel(this ChatClient chatClient, ModelDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(descriptor);

        var client = chatClient.AsIChatClient();
        var endpoint = client.GetService<ChatClientMetadata>()?.ProviderUri ?? s_openAIEndpoint;
        var failures = new OpenAIFailureTranslator(descriptor.Name, endpoint, "the credential the ChatClient was created with", apiKey: null);
        return new OpenAIChatModel(client, descriptor, failures);
    }

    private static (string? ApiKey, string Source) FindApiKey(OpenAIChatModelOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ApiKey))
        {
            return (options.ApiKey.Trim(), "the ApiKey option");
        }

        var variable = options.ApiKeyEnvironmentVariable;
        if (string.IsNullOrWhiteSpace(variable))
        {
            return (null, "the ApiKey option");
        }

        var value = Environment.GetEnvironmentVariable(variable);
        return (string.IsNullOrWhiteSpace(value) ? null : value.Trim(), $"the environment variable '{variable}'");
    }

    private static ChatModelException MissingApiKey(string modelName, string? variable)
    {
        var where = string.IsNullOrWhiteSpace(variable)
            ? "No environment variable is named for the key: name one (ApiKeyVariable in configuration, ApiKeyEnvironmentVariable in code) and set it."
            : $"Set the environment variable '{variable}' to your API key (export {variable}=<your key> on Linux and macOS, setx {variable} <your key> on Windows).";
        return new ChatModelException(ChatModelErrorKind.Authentication, modelName,
            $"Model '{modelName}' needs an API key and none was found. {where} " +
            "For a local OpenAI-compatible server that needs no key, set RequireApiKey to false.");
    }
}
