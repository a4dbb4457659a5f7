using System.Collections.Concurrent;

namespace HybridAI.Llama.Tests;

/// <summary>A fake loaded model: the char tokenizer, a chosen Jinja template, and scripted decoders it records.</summary>
internal sealed class FakeBackend : ILlamaBackend
{
    private readonly Func<int, ScriptedDecoder> _createDecoder;

    public FakeBackend(Func<int, ScriptedDecoder>? createDecoder = null, string? chatTemplate = null)
    {
        _createDecoder = createDecoder ?? (contextSize => new ScriptedDecoder(EchoScript.Next, contextSize));
        ChatTemplate = chatTemplate;
    }

    public IPromptTokenizer Tokenizer { get; } = new CharTokenizer();

    public string? ChatTemplate { get; }

    public ConcurrentQueue<ScriptedDecoder> Decoders { get; } = new();

    public KvCacheType? LastKvCacheType { get; private set; }

    public bool Disposed { get; private set; }

    public ITokenDecoder CreateDecoder(int contextSize, KvCacheType kvCacheType)
    {
        LastKvCacheType = kvCacheType;
        var decoder = _createDecoder(contextSize);
        Decoders.Enqueue(decoder);
        return decoder;
    }

    public void Dispose() => Disposed = true;
}
