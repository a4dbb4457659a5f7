using HybridAI.Llama;
using HybridAI.Testing;

namespace HybridAI.Cli.Tests;

public sealed class MakeModelCommandTests
{
    private const string TinyShape = "embd=64,ff=96,layers=2,heads=4,kv-heads=2,vocab=300,ctx=128,rope-base=500000";

    [Fact]
    public void MakeModel_CustomShapeF16_WritesLlamaModelThatInfoReads()
    {
        using var temp = new TemporaryDirectory();
        var path = temp.File("tiny.gguf");

        var run = CliRun.Of("make-model", "--shape", TinyShape, "--type", "F16", "--out", path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        Assert.Contains($"wrote {path}: custom, F16", run.Output, StringComparison.Ordinal);
        using (var file = GgufFile.Open(path))
        {
            Assert.Equal("llama", file.Metadata.GetString("general.architecture"));
            Assert.Equal(500000f, file.Metadata.GetFloat32("llama.rope.freq_base"));
            Assert.Equal(1u, file.Metadata.GetUInt32("general.file_type"));
            Assert.Equal(GgmlType.F16, file.GetTensor("blk.1.ffn_up.weight").Type);
            Assert.Equal(GgmlType.F32, file.GetTensor("output_norm.weight").Type);
            Assert.NotNull(file.FindTensor("output.weight"));
        }

        Assert.False(File.Exists(path + ".partial"));
        var info = CliRun.Of("info", "--model", path);
        Assert.Contains("tensor types:  F16 16, F32 5", info.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void MakeModel_SameSeed_SameBytes()
    {
        using var temp = new TemporaryDirectory();

        Assert.Equal(0, CliRun.Of("make-model", "--shape", TinyShape, "--type", "Q8_0", "--out", temp.File("a.gguf"), "--seed", "7").ExitCode);
        Assert.Equal(0, CliRun.Of("make-model", "--shape", TinyShape, "--type", "Q8_0", "--out", temp.File("b.gguf"), "--seed", "7").ExitCode);
        Assert.Equal(0, CliRun.Of("make-model", "--shape", TinyShape, "--type", "Q8_0", "--out", temp.File("c.gguf"), "--seed", "8").ExitCode);

        Assert.Equal(File.ReadAllBytes(temp.File("a.gguf")), File.ReadAllBytes(temp.File("b.gguf")));
        Assert.NotEqual(File.ReadAllBytes(temp.File("a.gguf")), File.ReadAllBytes(temp.File("c.gguf")));
    }

    [Fact]
    public void MakeModel_Q4KM_UsesLlamaCppMix()
    {
        using var temp = new TemporaryDirectory();
        var path = temp.File("q4km.gguf");

        var run = CliRun.Of("make-model", "--shape", "embd=256,ff=256,layers=2,heads=2,kv-heads=1,vocab=259,tied=true", "--type", "q4_k_m", "--out", path);

        Assert.Equal(0, run.ExitCode);
        using var file = GgufFile.Open(path);
        Assert.Equal(GgmlType.Q6_K, file.GetTensor("token_embd.weight").Type);
        Assert.Equal(GgmlType.Q4_K, file.GetTensor("blk.0.attn_v.weight").Type);
        Assert.Equal(GgmlType.Q6_K, file.GetTensor("blk.1.attn_v.weight").Type);
        Assert.Equal(GgmlType.Q6_K, file.GetTensor("blk.1.ffn_down.weight").Type);
        Assert.Null(file.FindTensor("output.weight"));
    }

    [Fact]
    public void MakeModel_VocabFrom_CopiesTokenizerAndResizesEmbeddings()
    {
        using var temp = new TemporaryDirectory();
        var path = temp.File("with-vocab.gguf");
        var vocabPath = Fixtures.PathOf("models/stories260K-plctlab-f32.gguf");

        var run = CliRun.Of("make-model", "--shape", TinyShape, "--type", "Q4_0", "--out", path, "--vocab-from", vocabPath);

        Assert.Equal(0, run.ExitCode);
        using var file = GgufFile.Open(path);
        using var source = GgufFile.Open(vocabPath);
        Assert.Equal(source.Metadata.GetStringArray("tokenizer.ggml.tokens"), file.Metadata.GetStringArray("tokenizer.ggml.tokens"));
        Assert.Equal(source.Metadata.GetFloat32Array("tokenizer.ggml.scores"), file.Metadata.GetFloat32Array("tokenizer.ggml.scores"));
        Assert.Equal(source.Metadata.GetString("tokenizer.ggml.model"), file.Metadata.GetString("tokenizer.ggml.model"));
        Assert.Equal([64L, 512], file.GetTensor("token_embd.weight").Dimensions);
        Assert.Equal(512u, file.Metadata.GetUInt32("llama.vocab_size"));
    }

    [Fact]
    public void MakeModel_UnknownShape_OneLineUsageError() =>
        CliRun.Of("make-model", "--shape", "gpt-9", "--type", "F16", "--out", "x.gguf").AssertOneLineFailure(CliApp.UsageError, "unknown shape 'gpt-9'");

    [Fact]
    public void MakeModel_UnknownType_OneLineUsageError() =>
        CliRun.Of("make-model", "--shape", "smollm-135m", "--type", "Q3_K", "--out", "x.gguf").AssertOneLineFailure(CliApp.UsageError, "unknown type 'Q3_K'");

    /// <summary>
    /// smollm's rows (576) are not a multiple of 256, so llama.cpp's Q4_K_M mix gives Q5_0 where it would give Q4_K and Q8_0
    /// where it would give Q6_K: the file is written, and the engine loads it and generates from it.
    /// </summary>
    [Fact]
    public void MakeModel_SmolLmQ4KM_WritesQ5_0FallbacksThatLoadAndGenerate()
    {
        using var temp = new TemporaryDirectory();
        var path = temp.File("smol.gguf");

        var run = CliRun.Of("make-model", "--shape", "smollm-135m", "--type", "Q4_K_M", "--out", path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        using (var file = GgufFile.Open(path))
        {
            Assert.Equal(GgmlType.Q5_0, file.GetTensor("blk.0.attn_q.weight").Type);
            Assert.Equal(GgmlType.Q5_0, file.GetTensor("blk.3.ffn_gate.weight").Type);
            Assert.Equal(GgmlType.Q8_0, file.GetTensor("blk.0.attn_v.weight").Type);
            Assert.Equal(GgmlType.Q6_K, file.GetTensor("blk.0.ffn_down.weight").Type);
            Assert.Equal(GgmlType.Q4_K, file.GetTensor("blk.4.ffn_down.weight").Type);
            Assert.Equal(GgmlType.Q8_0, file.GetTensor("token_embd.weight").Type);
        }

        var info = CliRun.Of("info", "--model", path);
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("tensor types:  Q5_0 166, F32 61, Q4_K 16, Q8_0 15, Q6_K 14", info.Output, StringComparison.Ordinal);
        var generate = CliRun.Of("generate", "--model", path, "--prompt-ids", "1 2 3", "--max-tokens", "3", "--temperature", "0",
            "--ignore-eos", "--print-ids", "--threads", "2");
        Assert.Equal(0, generate.ExitCode);
        Assert.Matches(@"ids: \d+ \d+ \d+", generate.Output);
    }

    [Fact]
    public void MakeModel_MissingVocabularyFile_OneLineFailure() =>
        CliRun.Of("make-model", "--shape", TinyShape, "--type", "F16", "--out", "x.gguf", "--vocab-from", "/no/vocab.gguf")
            .AssertOneLineFailure(CliApp.Failure, "vocabulary file not found");

    [Fact]
    public void MakeModel_OutputFolderMissing_OneLineFailure() =>
        CliRun.Of("make-model", "--shape", TinyShape, "--type", "F16", "--out", "/no/such/folder/x.gguf")
            .AssertOneLineFailure(CliApp.Failure, "hybridai make-model: ");

    [Theory]
    [InlineData("embd=64,ff=96,layers=2", "custom shape needs heads=")]
    [InlineData("embd=64,ff=96,layers=2,heads=5", "must split into")]
    [InlineData("embd=64,ff=96,layers=0,heads=4", "layers=0: expected a positive integer")]
    [InlineData("embd=64,ff=96,layers=2,heads=4,colour=blue", "unknown shape key 'colour'")]
    [InlineData("embd=64,embd=32", "each key once")]
    public void MakeModel_BadCustomShape_OneLineUsageError(string shape, string message) =>
        CliRun.Of("make-model", "--shape", shape, "--type", "F16", "--out", "x.gguf").AssertOneLineFailure(CliApp.UsageError, message);

    [Fact]
    public void ParseShape_KnownNames_GiveDocumentedShapes()
    {
        var tiny = MakeModelCommand.ParseShape("tinyllama-1.1b");
        Assert.Equal((2048, 5632, 22, 32, 4, 32000, 2048, 10000f, false),
            (tiny.EmbeddingLength, tiny.FeedForwardLength, tiny.BlockCount, tiny.HeadCount, tiny.HeadCountKv, tiny.VocabSize, tiny.ContextLength, tiny.RopeFrequencyBase, tiny.TiedOutput));
        var llama = MakeModelCommand.ParseShape("llama-3.2-1b");
        Assert.Equal((2048, 8192, 16, 32, 8, 128256, 500000f, true),
            (llama.EmbeddingLength, llama.FeedForwardLength, llama.BlockCount, llama.HeadCount, llama.HeadCountKv, llama.VocabSize, llama.RopeFrequencyBase, llama.TiedOutput));
        Assert.Equal(new LlamaRopeScaling(32f, 1f, 4f, 8192), llama.RopeScaling);
        var smol = MakeModelCommand.ParseShape("smollm-135m");
        Assert.Equal((576, 1536, 30, 9, 3, 49152, true),
            (smol.EmbeddingLength, smol.FeedForwardLength, smol.BlockCount, smol.HeadCount, smol.HeadCountKv, smol.VocabSize, smol.TiedOutput));
    }
}
