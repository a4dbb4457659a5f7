using System.Text.Json;
using HybridAI.Testing;

namespace HybridAI.Cli.Tests;

public sealed class BenchCommandTests
{
    [Fact]
    public void Run_Json_PrintsMediansAndPeakWorkingSet()
    {
        var model = Fixtures.PathOf("models/stories260K-plctlab-q4_0.gguf");

        var run = CliRun.Of("bench", "--model", model, "-p", "16", "-n", "8", "--reps", "2", "--threads", "1", "--json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.True(json.RootElement.GetProperty("pp_tokens_per_s").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("tg_tokens_per_s").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("peak_working_set_bytes").GetInt64() > new FileInfo(model).Length);
        Assert.Equal("Q4_0", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(Llama.VecDot.KernelPath, json.RootElement.GetProperty("kernels").GetString());
    }

    [Fact]
    public void Run_Table_HasOneRowWithTheModel()
    {
        var model = Fixtures.PathOf("models/aidreams260K-f32.gguf");

        var run = CliRun.Of("bench", "--model", model, "-p", "8", "-n", "4", "--reps", "1", "--threads", "1");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Contains("| pp8 t/s | tg4 t/s |", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("| aidreams260K-f32.gguf |", lines[2], StringComparison.Ordinal);
        Assert.EndsWith($"| {Llama.VecDot.KernelPath} |", lines[2].TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Bandwidth_ReportsWeightBytesReadBandwidthAndGenerationFraction()
    {
        var model = Fixtures.PathOf("models/stories260K-plctlab-q4_0.gguf");

        var run = CliRun.Of("bench", "--model", model, "-p", "8", "-n", "16", "--reps", "3", "--threads", "2", "--bandwidth", "--json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;

        // Every matrix a token reads: the 2-D tensors but the token embedding, which stands in for a missing output head.
        using var file = Llama.GgufFile.Open(model);
        var matrices = file.Tensors.Where(t => t.Dimensions.Count == 2 && t.Name != "token_embd.weight").Sum(t => t.ByteSize);
        var expected = matrices + (file.FindTensor("output.weight") is null ? file.GetTensor("token_embd.weight").ByteSize : 0);
        Assert.Equal(expected, root.GetProperty("weight_bytes_per_token").GetInt64());
        var read = root.GetProperty("weight_read_bytes_per_s").GetDouble();
        var fraction = root.GetProperty("tg_fraction_of_read_bandwidth").GetDouble();
        Assert.True(read > 0, $"read bandwidth {read}");
        Assert.True(fraction > 0, $"fraction {fraction}");
        Assert.True(root.GetProperty("tg_tokens_per_s").GetDouble() > 0);
    }

    [Fact]
    public void Run_BandwidthTable_AddsTheThreeColumns()
    {
        var model = Fixtures.PathOf("models/aidreams260K-f32.gguf");

        var run = CliRun.Of("bench", "--model", model, "-p", "8", "-n", "4", "--reps", "1", "--threads", "1", "--bandwidth");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.EndsWith("| weights read per token | weights read bandwidth | tg of bandwidth |", lines[0].TrimEnd(), StringComparison.Ordinal);
        Assert.Matches(@"\| [0-9.]+ MB \| [0-9.]+ GB/s \| [0-9]+ % \|$", lines[2].TrimEnd());
    }

    [Fact]
    public void Run_UnknownOption_OneLineUsageError() =>
        CliRun.Of("bench", "--model", "x.gguf", "--repz", "3").AssertOneLineFailure(CliApp.UsageError, "unknown option --repz");
}
