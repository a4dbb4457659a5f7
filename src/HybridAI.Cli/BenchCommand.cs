using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HybridAI.Llama;

namespace HybridAI.Cli;

/// <summary>
/// <c>hybridai bench</c>: prompt processing and generation speed on a GGUF file, measured the way llama-bench does
/// (random token ids, a warm-up run, then the median of several repetitions).
/// </summary>
internal static class BenchCommand
{
    public const string Usage =
        "hybridai bench --model FILE [-p 128] [-n 64] [--threads N] [--reps R] [--kv-type f32|f16] [--bandwidth] [--json]";

    public static int Run(CommandArguments arguments, TextWriter output)
    {
        var path = arguments.Required("model");
        var promptTokens = arguments.Int32("p", 128, min: 1);
        var generatedTokens = arguments.Int32("n", 64, min: 1);
        var threads = arguments.Int32("threads", Environment.ProcessorCount, min: 1);
        var repetitions = arguments.Int32("reps", 5, min: 1);
        var kvType = arguments.KvCacheType("kv-type", KvCacheType.F16);
        var json = arguments.Flag("json");
        var bandwidth = arguments.Flag("bandwidth");
        arguments.ThrowIfUnused();

        using var model = LlamaModel.Load(path);
        using var context = model.CreateContext(promptTokens + generatedTokens + 1, kvType, threads);
        var random = new Random(1234);
        var prompt = new int[promptTokens];
        for (var i = 0; i < prompt.Length; i++)
        {
            prompt[i] = random.Next(model.Info.VocabularySize);
        }

        // With --bandwidth, the weights' read bandwidth is measured after each generation run, so that each run's fraction
        // of it comes from the same minute of the host.
        using var probe = bandwidth ? new WeightReadProbe(model, threads) : null;

        // One warm-up of each, so that JIT tiering and page faults of the mapped weights are not measured.
        MeasurePrompt(context, prompt);
        MeasureGeneration(context, Math.Min(generatedTokens, 4), random, model.Info.VocabularySize);
        probe?.MeasureBytesPerSecond();

        var pp = new double[repetitions];
        var tg = new double[repetitions];
        var read = new double[repetitions];
        var fraction = new double[repetitions];
        for (var rep = 0; rep < repetitions; rep++)
        {
            pp[rep] = promptTokens / MeasurePrompt(context, prompt).TotalSeconds;
            tg[rep] = generatedTokens / MeasureGeneration(context, generatedTokens, random, model.Info.VocabularySize).TotalSeconds;
            if (probe is not null)
            {
                read[rep] = probe.MeasureBytesPerSecond();
                fraction[rep] = probe.BytesPerToken * tg[rep] / read[rep];
            }
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var result = new BenchResult(
            Path.GetFileName(path), model.Info.FileSize, DominantType(model.Info), threads,
            Median(pp), Median(tg), process.PeakWorkingSet64, promptTokens, generatedTokens, VecDot.KernelPath)
        {
            Bandwidth = probe is null ? null : new BandwidthResult(probe.BytesPerToken, Median(read), Median(fraction)),
        };
        output.WriteLine(json ? result.ToJson() : result.ToTable());
        return 0;
    }

    private static TimeSpan MeasurePrompt(LlamaContext context, int[] prompt)
    {
        context.Truncate(0);
        var start = Stopwatch.GetTimestamp();
        context.Decode(prompt);
        return Stopwatch.GetElapsedTime(start);
    }

    private static TimeSpan MeasureGeneration(LlamaContext context, int count, Random random, int vocabulary)
    {
        context.Truncate(0);
        Span<int> token = [1];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            context.Decode(token);
            token[0] = random.Next(vocabulary);
        }

        return Stopwatch.GetElapsedTime(start);
    }

    private static string DominantType(LlamaModelInfo info) =>
        info.TensorTypes.Where(pair => pair.Key != GgmlType.F32).OrderByDescending(pair => pair.Value).Select(pair => pair.Key.ToString())
            .FirstOrDefault() ?? nameof(GgmlType.F32);

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// The weights' read bandwidth (<see cref="WeightReadProbe"/>: the best of three passes after each generation run, the
    /// median over the runs) and generation's reads as a fraction of it (the median of each run's bytes per token × tokens
    /// per second ÷ the best pass after it).
    /// </summary>
    private sealed record BandwidthResult(long BytesPerToken, double ReadBytesPerSecond, double GenerationFraction);

    private sealed record BenchResult(
        string Model, long SizeBytes, string Type, int Threads, double PromptTokensPerSecond, double GenerationTokensPerSecond,
        long PeakWorkingSetBytes, int PromptTokens, int GeneratedTokens, string Kernels)
    {
        public BandwidthResult? Bandwidth { get; init; }

        public string ToTable()
        {
            var c = CultureInfo.InvariantCulture;
            var header = $"| model | size | type | threads | pp{PromptTokens} t/s | tg{GeneratedTokens} t/s | peak working set | kernels |";
            var rule = "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |";
            var row = string.Create(c, $"| {Model} | {SizeBytes / 1048576.0:F1} MiB | {Type} | {Threads} | {PromptTokensPerSecond:F2} | {GenerationTokensPerSecond:F2} | {PeakWorkingSetBytes / 1048576.0:F1} MiB | {Kernels} |");
            if (Bandwidth is { } b)
            {
                header += " weights read per token | weights read bandwidth | tg of bandwidth |";
                rule += " ---: | ---: | ---: |";
                row += string.Create(c, $" {b.BytesPerToken / 1e6:F1} MB | {b.ReadBytesPerSecond / 1e9:F1} GB/s | {b.GenerationFraction * 100:F0} % |");
            }

            return string.Join(Environment.NewLine, header, rule, row);
        }

        public string ToJson()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                writer.WriteString("model", Model);
                writer.WriteNumber("size_bytes", SizeBytes);
                writer.WriteString("type", Type);
                writer.WriteNumber("threads", Threads);
                writer.WriteNumber("n_prompt", PromptTokens);
                writer.WriteNumber("n_gen", GeneratedTokens);
                writer.WriteNumber("pp_tokens_per_s", Math.Round(PromptTokensPerSecond, 3));
                writer.WriteNumber("tg_tokens_per_s", Math.Round(GenerationTokensPerSecond, 3));
                writer.WriteNumber("peak_working_set_bytes", PeakWorkingSetBytes);
                writer.WriteString("kernels", Kernels);
                if (Bandwidth is { } b)
                {
                    writer.WriteNumber("weight_bytes_per_token", b.BytesPerToken);
                    writer.WriteNumber("weight_read_bytes_per_s", Math.Round(b.ReadBytesPerSecond));
                    writer.WriteNumber("tg_fraction_of_read_bandwidth", Math.Round(b.GenerationFraction, 4));
                }

                writer.WriteEndObject();
            }

            return System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }
    }
}
