namespace HybridAI.Llama.Tests;

/// <summary>
/// A fake forward pass: the next token is whatever the script says for the tokens in the cache; its logit is 10, every
/// other logit 0. Records each <see cref="Decode"/> batch and detects overlapping calls.
/// </summary>
internal sealed class ScriptedDecoder : ITokenDecoder, IDisposable
{
    private readonly List<int> _tokens = [];
    private readonly float[] _logits;
    private readonly Func<IReadOnlyList<int>, int> _script;
    private int _busy;

    public ScriptedDecoder(Func<IReadOnlyList<int>, int> script, int contextSize = 4096, int vocabularySize = -1)
    {
        _script = script;
        ContextSize = contextSize;
        VocabularySize = vocabularySize > 0 ? vocabularySize : CharTokenizer.VocabularySize;
        _logits = new float[VocabularySize];
    }

    /// <summary>Gets a fake that answers <paramref name="answer"/> then EOS to any prompt (the answer starts after the prompt).</summary>
    public static ScriptedDecoder Answering(string answer, int contextSize = 4096)
    {
        var script = CharTokenizer.Text(answer).Append(CharTokenizer.Eos).ToArray();
        var promptLength = -1;
        ScriptedDecoder? decoder = null;
        decoder = new ScriptedDecoder(tokens =>
        {
            // The first batch is the prompt; the answer continues from there.
            if (decoder!.Batches.Count == 1)
            {
                promptLength = tokens.Count;
            }

            var position = tokens.Count - promptLength;
            return script[Math.Min(position, script.Length - 1)];
        }, contextSize);
        return decoder;
    }

    public int VocabularySize { get; }

    public int ContextSize { get; }

    public ReadOnlySpan<int> Tokens => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tokens);

    public List<int[]> Batches { get; } = [];

    public List<int> Truncations { get; } = [];

    public bool Overlapped { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>Runs inside each <see cref="Decode"/>, after the tokens are appended (to block or cancel from a test).</summary>
    public Action<ScriptedDecoder>? OnDecode { get; set; }

    public ReadOnlySpan<float> Decode(ReadOnlySpan<int> tokens, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            Overlapped = true;
        }

        try
        {
            if (tokens.IsEmpty || _tokens.Count + tokens.Length > ContextSize)
            {
                throw new ArgumentException("Bad batch.", nameof(tokens));
            }

            cancellationToken.ThrowIfCancellationRequested();
            Batches.Add(tokens.ToArray());
            _tokens.AddRange(tokens);
            OnDecode?.Invoke(this);
            Array.Clear(_logits);
            _logits[_script(_tokens)] = 10;
            return _logits;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    public void Truncate(int length)
    {
        Truncations.Add(length);
        _tokens.RemoveRange(length, _tokens.Count - length);
    }

    public void Dispose() => Disposed = true;
}
