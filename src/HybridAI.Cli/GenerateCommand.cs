using HybridAI.Llama;

namespace HybridAI.Cli;

/// <summary>
/// <c>hybridai generate</c>: plain text completion with a local GGUF model (no chat template), streaming the text to stdout.
/// With <c>--print-ids</c> it also prints the generated token ids, and <c>--prompt-ids</c> takes the prompt as token ids
/// instead of text, so that runs can be compared with llama.cpp's token for token on any model.
/// </summary>
internal static class GenerateCommand
{
    public const string Usage =
        "hybridai generate --model FILE (--prompt TEXT | --prompt-ids \"1 2 3\") [--max-tokens N] [--temperature T] [--seed S] [--ignore-eos] " +
        "[--kv-type f32|f16] [--threads N] [--print-ids]";

    public static int Run(CommandArguments arguments, TextWriter output)
    {
        var path = arguments.Required("model");
        var prompt = arguments.Optional("prompt");
        var promptIdsText = arguments.Optional("prompt-ids");
        if ((prompt is null) == (promptIdsText is null))
        {
            throw new CommandLineException("give the prompt as --prompt TEXT or as --prompt-ids \"ID ID ...\" (one of the two)");
        }
        var maxTokens = arguments.Int32("max-tokens", 128, min: 1);
        var temperature = arguments.OptionalSingle("temperature");
        var seed = arguments.OptionalUInt64("seed");
        var ignoreEos = arguments.Flag("ignore-eos");
        var kvType = arguments.KvCacheType("kv-type", KvCacheType.F16);
        var threads = arguments.Int32("threads", Environment.ProcessorCount, min: 1);
        var printIds = arguments.Flag("print-ids");
        arguments.ThrowIfUnused();
        if (!File.Exists(path))
        {
            throw new CommandLineException($"model file not found: {path}") { ExitCode = CliApp.Failure };
        }

        using var model = LlamaModel.Load(path);
        var promptIds = prompt is not null
            ? model.Tokenizer.Encode(prompt, addSpecial: true, parseSpecial: false)
            : ParseIds(promptIdsText!, model.Info.VocabularySize);
        var contextSize = Math.Min(promptIds.Length + maxTokens, Math.Max(model.Info.TrainedContextLength, promptIds.Length + 1));
        using var context = model.CreateContext(contextSize, kvType, threads);
        var sampling = SamplingOptions.Default with
        {
            Temperature = temperature ?? SamplingOptions.Default.Temperature,
            Seed = seed is { } s ? (long)s : null,
        };
        var settings = new GenerationSettings
        {
            Sampling = sampling,
            FallbackSeed = (ulong)Environment.TickCount64,
            MaxTokens = maxTokens,
            IgnoreEndOfGeneration = ignoreEos,
        };

        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var ids = new List<int>(maxTokens);
        try
        {
            output.Write(prompt ?? string.Empty);
            TokenGenerator.Generate(context, new LlamaPromptTokenizer(model.Tokenizer), promptIds, settings, step =>
            {
                if (step.TokenId >= 0)
                {
                    ids.Add(step.TokenId);
                }

                output.Write(step.Text);
                output.Flush();
            }, cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            output.WriteLine();
            throw new CommandLineException("cancelled") { ExitCode = CliApp.Failure };
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        output.WriteLine();
        if (printIds)
        {
            output.WriteLine("ids: " + string.Join(' ', ids));
        }

        return 0;
    }

    private static int[] ParseIds(string text, int vocabularySize)
    {
        var parts = text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new CommandLineException("option --prompt-ids needs at least one token id");
        }

        var ids = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ids[i]) ||
                ids[i] >= vocabularySize)
            {
                throw new CommandLineException($"option --prompt-ids: '{parts[i]}' is not a token id of this model (0..{vocabularySize - 1})");
            }
        }

        return ids;
    }
}
