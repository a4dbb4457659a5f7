using System.Text.Json;
using HybridAI.Testing;

namespace HybridAI.Cli.Tests;

public sealed class GenerateCommandTests
{
    [Fact]
    public void Run_GreedyWithPrintIds_PrintsTextAndLlamaCppIds()
    {
        var model = Fixtures.PathOf("models/aidreams260K-f32.gguf");
        using var reference = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("reference/aidreams260K-f32-greedy.json")));
        var expected = reference.RootElement.GetProperty("results_kv_f32")[0];

        var run = CliRun.Of("generate", "--model", model, "--prompt", "Once upon a time", "--max-tokens", "64",
            "--temperature", "0", "--ignore-eos", "--kv-type", "f32", "--threads", "1", "--print-ids");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.TrimEnd().Split('\n');
        Assert.StartsWith("Once upon a time" + expected.GetProperty("generated_text").GetString(), run.Output, StringComparison.Ordinal);
        Assert.Equal("ids: " + string.Join(' ', expected.GetProperty("generated_ids").EnumerateArray().Select(v => v.GetInt32())), lines[^1]);
    }

    [Fact]
    public void Run_MaxTokens_StopsThere()
    {
        var model = Fixtures.PathOf("models/stories260K-plctlab-q8_0.gguf");

        var run = CliRun.Of("generate", "--model", model, "--prompt", "Lily", "--max-tokens", "5", "--seed", "7", "--ignore-eos", "--print-ids");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(5, run.Output.TrimEnd().Split('\n')[^1]["ids: ".Length..].Split(' ').Length);
    }

    [Fact]
    public void Run_SameSeed_SameText()
    {
        var model = Fixtures.PathOf("models/aidreams260K-q8_0.gguf");
        string[] args = ["generate", "--model", model, "--prompt", "The", "--max-tokens", "24", "--temperature", "0.9", "--seed", "42"];

        Assert.Equal(CliRun.Of(args).Output, CliRun.Of(args).Output);
    }

    [Fact]
    public void Run_PromptIds_GivesTheSameIdsAsTheTextThatEncodesToThem()
    {
        var model = Fixtures.PathOf("models/aidreams260K-f32.gguf");
        using var reference = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("reference/aidreams260K-f32-greedy.json")));
        var expected = reference.RootElement.GetProperty("results_kv_f32")[0];
        var promptIds = string.Join(' ', expected.GetProperty("prompt_ids").EnumerateArray().Select(v => v.GetInt32()));

        var run = CliRun.Of("generate", "--model", model, "--prompt-ids", promptIds, "--max-tokens", "64",
            "--temperature", "0", "--ignore-eos", "--kv-type", "f32", "--threads", "1", "--print-ids");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("ids: " + string.Join(' ', expected.GetProperty("generated_ids").EnumerateArray().Select(v => v.GetInt32())),
            run.Output.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public void Run_PromptIdOutsideVocabulary_OneLineFailureNamingIt()
    {
        var model = Fixtures.PathOf("models/aidreams260K-f32.gguf");
        CliRun.Of("generate", "--model", model, "--prompt-ids", "1 99999").AssertOneLineFailure(CliApp.UsageError, "'99999' is not a token id");
    }

    [Fact]
    public void Run_MissingPrompt_OneLineUsageError() =>
        CliRun.Of("generate", "--model", "x.gguf").AssertOneLineFailure(CliApp.UsageError, "--prompt TEXT or as --prompt-ids");

    [Fact]
    public void Run_BothPromptForms_OneLineUsageError() =>
        CliRun.Of("generate", "--model", "x.gguf", "--prompt", "hi", "--prompt-ids", "1").AssertOneLineFailure(CliApp.UsageError, "one of the two");

    [Fact]
    public void Run_MissingFile_OneLineFailure() =>
        CliRun.Of("generate", "--model", "/nonexistent/x.gguf", "--prompt", "hi").AssertOneLineFailure(CliApp.Failure, "model file not found");

    [Fact]
    public void Run_BadKvType_OneLineUsageError() =>
        CliRun.Of("generate", "--model", "x.gguf", "--prompt", "hi", "--kv-type", "q8").AssertOneLineFailure(CliApp.UsageError, "f32 or f16");
}
