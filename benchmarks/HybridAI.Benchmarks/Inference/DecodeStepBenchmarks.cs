using BenchmarkDotNet.Attributes;
using HybridAI.Llama;

namespace HybridAI.Benchmarks;

/// <summary>
/// One generation step of the in-process engine: decode one token after a 32-token prompt, then truncate back, so every
/// operation does the same work. The memory diagnoser shows what a generated token allocates in steady state (nothing).
/// The model is a random-weight smollm-135m Q4_0 written at setup, or the GGUF file named by <c>HYBRIDAI_BENCH_MODEL</c>.
/// </summary>
[MemoryDiagnoser]
public class DecodeStepBenchmarks
{
    private const int PromptLength = 32;
    private string? _temporaryFile;
    private LlamaModel _model = null!;
    private LlamaContext _context = null!;

    /// <summary>Gets or sets the KV cache type.</summary>
    [Params(KvCacheType.F32, KvCacheType.F16)]
    public KvCacheType KvType { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("HYBRIDAI_BENCH_MODEL");
        if (string.IsNullOrEmpty(path))
        {
            _temporaryFile = Path.Combine(Path.GetTempPath(), $"hybridai-bench-{Environment.ProcessId}.gguf");
            new RandomLlamaWriter(LlamaShape.SmolLM135M, LlamaFileType.Q4_0).WriteTo(_temporaryFile);
            path = _temporaryFile;
        }

        _model = LlamaModel.Load(path);
        _context = _model.CreateContext(512, KvType, Math.Min(Environment.ProcessorCount, 2));
        Span<int> prompt = stackalloc int[PromptLength];
        for (var i = 0; i < prompt.Length; i++)
        {
            prompt[i] = 100 + i;
        }

        _context.Decode(prompt);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _context.Dispose();
        _model.Dispose();
        if (_temporaryFile is not null)
        {
            File.Delete(_temporaryFile);
        }
    }

    [Benchmark]
    public float DecodeOneToken()
    {
        ReadOnlySpan<int> token = [200];
        var logits = _context.Decode(token);
        _context.Truncate(PromptLength);
        return logits[0];
    }
}
