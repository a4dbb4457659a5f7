using BenchmarkDotNet.Attributes;
using HybridAI.Llama;

namespace HybridAI.Benchmarks;

/// <summary>
/// Encoding and decoding one English paragraph with llama.cpp's LLaMA SentencePiece vocabulary and GPT-2's BPE
/// vocabulary (fixture files; set HYBRIDAI_FIXTURES to the fixtures folder).
/// Run: <c>dotnet run -c Release --project benchmarks/HybridAI.Benchmarks -- --filter *TokenizerBenchmarks* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private const string Paragraph =
        "Once upon a time, in a small village by the sea, there lived a curious girl named Lily. Every morning she " +
        "walked along the shore, collecting shells and counting the waves: 1, 2, 3... She'd say \"Hello!\" to the " +
        "fishermen, who laughed and waved back. One day she found a bottle with a note inside. It read: \"Whoever finds " +
        "this, follow the lighthouse's light at midnight.\" Lily's heart raced — what could it mean? 🌊✨";

    private readonly List<int> _output = new(256);
    private LlamaTokenizer _spm = null!;
    private LlamaTokenizer _bpe = null!;
    private int[] _spmIds = [];

    [GlobalSetup]
    public void Setup()
    {
        var root = Environment.GetEnvironmentVariable("HYBRIDAI_FIXTURES") ?? Path.Combine("..", "shared", "fixtures");
        _spm = Load(Path.Combine(root, "vocab", "ggml-vocab-llama-spm.gguf"));
        _bpe = Load(Path.Combine(root, "vocab", "ggml-vocab-gpt-2.gguf"));
        _spmIds = _spm.Encode(Paragraph, addSpecial: true, parseSpecial: false);
    }

    [Benchmark(Baseline = true)]
    public int EncodeSentencePiece()
    {
        _output.Clear();
        _spm.Encode(Paragraph.AsSpan(), _output, addSpecial: true, parseSpecial: false);
        return _output.Count;
    }

    [Benchmark]
    public int EncodeBytePair()
    {
        _output.Clear();
        _bpe.Encode(Paragraph.AsSpan(), _output, addSpecial: false, parseSpecial: false);
        return _output.Count;
    }

    [Benchmark]
    public int EncodeSentencePieceParseSpecial()
    {
        _output.Clear();
        _spm.Encode(Paragraph.AsSpan(), _output, addSpecial: true, parseSpecial: true);
        return _output.Count;
    }

    [Benchmark]
    public string DecodeSentencePiece() => _spm.Decode(_spmIds);

    private static LlamaTokenizer Load(string path)
    {
        using var file = GgufFile.Open(path);
        return LlamaTokenizer.FromGguf(file);
    }
}
