using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>Conversions between Microsoft.Extensions.AI's <see cref="IChatClient"/> and HybridAI's <see cref="IChatModel"/>.</summary>
/// <remarks>
/// Every <see cref="IChatModel"/> already is an <see cref="IChatClient"/>, so MEAI middleware composes around it directly:
/// <c>model.AsBuilder().UseFunctionInvocation().Build()</c>. These extensions go the other way.
/// </remarks>
public static class ChatModelExtensions
{
    /// <summary>Presents an <see cref="IChatClient"/> (any MEAI client or pipeline) as an <see cref="IChatModel"/>.</summary>
    /// <param name="client">The client to wrap. The returned model owns it: disposing the model disposes the client.</param>
    /// <param name="descriptor">What the model is: name, provider, locality, capabilities, cost.</param>
    /// <returns>The model. Failures of the client surface as <see cref="ChatModelException"/> where their kind is known.</returns>
    public static IChatModel AsChatModel(this IChatClient client, ModelDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(descriptor);
        return new ChatClientChatModel(client, descriptor);
    }

    /// <summary>
    /// Presents an <see cref="IChatClient"/> as an <see cref="IChatModel"/>, taking its descriptor from the client itself
    /// (a pipeline built around an <see cref="IChatModel"/> still answers <c>GetService(typeof(ModelDescriptor))</c>).
    /// </summary>
    /// <param name="client">The client to wrap.</param>
    /// <returns>The client itself when it already is an <see cref="IChatModel"/>, otherwise a wrapper.</returns>
    /// <exception cref="InvalidOperationException">The client does not know its descriptor; use the overload that takes one.</exception>
    public static IChatModel AsChatModel(this IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client is IChatModel model)
        {
            return model;
        }

        var descriptor = client.GetService<ModelDescriptor>()
            ?? throw new InvalidOperationException(
                "This chat client does not describe itself with a ModelDescriptor. Call AsChatModel(client, descriptor) and say what the model is.");
        return new ChatClientChatModel(client, descriptor);
    }

    /// <summary>Gets the descriptor of the model behind a client or pipeline, when it has one.</summary>
    /// <param name="client">A model, or a pipeline built around one.</param>
    /// <returns>The descriptor, or <see langword="null"/>.</returns>
    public static ModelDescriptor? GetModelDescriptor(this IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client is IChatModel model ? model.Descriptor : client.GetService<ModelDescriptor>();
    }
}
