using HybridAI.Llama;
using HybridAI.Testing;

namespace HybridAI.Cli.Tests;

public sealed class InfoCommandTests
{
    [Fact]
    public void Info_Q4KMFixture_PrintsArchitectureSizesAndTypes()
    {
        var run = CliRun.Of("info", "--model", Fixtures.PathOf("models/random-small-q4_k_m.gguf"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        Assert.Contains("architecture:  llama", run.Output, StringComparison.Ordinal);
        Assert.Contains("parameters:    1.7 M (1,705,216)", run.Output, StringComparison.Ordinal);
        Assert.Contains("file size:     1.0 MiB (1,069,216 bytes)", run.Output, StringComparison.Ordinal);
        Assert.Contains("n_embd:        256", run.Output, StringComparison.Ordinal);
        Assert.Contains("layers:        2", run.Output, StringComparison.Ordinal);
        Assert.Contains("heads:         4", run.Output, StringComparison.Ordinal);
        Assert.Contains("kv heads:      2", run.Output, StringComparison.Ordinal);
        Assert.Contains("ff:            768", run.Output, StringComparison.Ordinal);
        Assert.Contains("vocab:         512 (tokenizer llama)", run.Output, StringComparison.Ordinal);
        Assert.Contains("context:       256", run.Output, StringComparison.Ordinal);
        Assert.Contains("rope:          base 500000", run.Output, StringComparison.Ordinal);
        Assert.Contains("file type:     Q4_K_M (15)", run.Output, StringComparison.Ordinal);
        Assert.Contains("tensor types:  Q4_K 12, F32 5, Q6_K 3", run.Output, StringComparison.Ordinal);
        Assert.Contains("output head:   tied to token_embd", run.Output, StringComparison.Ordinal);
        Assert.Contains("chat template: none", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_VocabularyOnlyFile_SaysNoTensors()
    {
        var run = CliRun.Of("info", "--model", Fixtures.PathOf("vocab/ggml-vocab-gpt-2.gguf"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("architecture:  gpt2", run.Output, StringComparison.Ordinal);
        Assert.Contains("vocab:         50257 (tokenizer gpt2, pre gpt-2)", run.Output, StringComparison.Ordinal);
        Assert.Contains("tensor types:  none", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>'}}{% endfor %}", "chat template: chatml")]
    [InlineData("{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}\nsecond line", "chat template: unrecognized; first line: {{ bos_token }}")]
    public void Info_ChatTemplate_PrintsFamilyOrFirstLine(string template, string expected)
    {
        using var temp = new TemporaryDirectory();
        var path = temp.File("model.gguf");
        new RandomLlamaWriter(new LlamaShape("t", 32, 64, 1, 2, 2, 260, 64, 10000f, true), LlamaFileType.F32)
        {
            ExtraMetadata = [new("tokenizer.chat_template", new GgufValue(GgufValueType.String, template))],
        }.WriteTo(path);

        var run = CliRun.Of("info", "--model", path);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(expected, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_MissingFile_OneLineFailure() =>
        CliRun.Of("info", "--model", "/no/such/model.gguf").AssertOneLineFailure(CliApp.Failure, "model file not found: /no/such/model.gguf");

    [Fact]
    public void Info_NotAGgufFile_OneLineFailureNamingField()
    {
        using var temp = new TemporaryDirectory();
        var path = temp.File("notes.gguf");
        File.WriteAllText(path, "hello, this is not a model");

        CliRun.Of("info", "--model", path).AssertOneLineFailure(CliApp.Failure, "magic at offset 0: expected 'GGUF'");
    }

    [Fact]
    public void Info_TruncatedModel_OneLineFailure()
    {
        using var temp = new TemporaryDirectory();
        var path = temp.File("cut.gguf");
        var bytes = File.ReadAllBytes(Fixtures.PathOf("models/aidreams260K-q8_0.gguf"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        CliRun.Of("info", "--model", path).AssertOneLineFailure(CliApp.Failure, "outside the file");
    }

    [Fact]
    public void Info_UnknownOption_OneLineUsageError() =>
        CliRun.Of("info", "--model", "x.gguf", "--verbose", "yes").AssertOneLineFailure(CliApp.UsageError, "unknown option --verbose");
}
