using System.Diagnostics;
using System.Globalization;
using HybridAI.Llama;

namespace HybridAI.Cli;

/// <summary>
/// <c>hybridai make-model --shape NAME --type TYPE --out FILE [--vocab-from FILE.gguf] [--seed N]</c>: writes a
/// random-weight llama GGUF file, streaming, for benchmarks and tests.
/// </summary>
internal static class MakeModelCommand
{
    private static readonly Dictionary<string, LlamaFileType> s_types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["F32"] = LlamaFileType.F32,
        ["F16"] = LlamaFileType.F16,
        ["BF16"] = LlamaFileType.BF16,
        ["Q8_0"] = LlamaFileType.Q8_0,
        ["Q4_0"] = LlamaFileType.Q4_0,
        ["Q4_K_M"] = LlamaFileType.Q4_K_M,
    };

    public static int Run(CommandArguments arguments, TextWriter output)
    {
        var shapeText = arguments.Required("shape");
        var typeText = arguments.Required("type");
        var outPath = arguments.Required("out");
        var vocabPath = arguments.Optional("vocab-from");
        var seed = arguments.OptionalUInt64("seed") ?? 42;
        arguments.ThrowIfUnused();

        var shape = ParseShape(shapeText);
        if (!s_types.TryGetValue(typeText, out var fileType))
        {
            throw new CommandLineException($"unknown type '{typeText}' (types: {string.Join(", ", s_types.Keys)})");
        }

        IReadOnlyList<KeyValuePair<string, GgufValue>>? vocabulary = null;
        if (vocabPath is not null)
        {
            if (!File.Exists(vocabPath))
            {
                throw new CommandLineException($"vocabulary file not found: {vocabPath}") { ExitCode = CliApp.Failure };
            }

            using var vocabFile = GgufFile.Open(vocabPath);
            vocabulary = RandomLlamaWriter.VocabularyFrom(vocabFile.Metadata);
            shape = shape with { VocabSize = RandomLlamaWriter.TokenCount(vocabulary) };
        }

        RandomLlamaWriter writer;
        try
        {
            writer = new RandomLlamaWriter(shape, fileType) { Seed = seed, Vocabulary = vocabulary };
            var unsupported = writer.PlanTensors().FirstOrDefault(static t => !GgmlTypeInfo.IsSupportedWeightType(t.Type));
            if (unsupported.Name is not null)
            {
                throw new CommandLineException(
                    $"{shape.Name} as {typeText}: llama.cpp's mix gives {unsupported.Name} (rows of {unsupported.Dimensions[0]}) the type {unsupported.Type}, which HybridAI cannot write; choose another type");
            }
        }
        catch (ArgumentException error)
        {
            throw new CommandLineException(error.Message);
        }

        var fullPath = Path.GetFullPath(outPath);
        var temporary = fullPath + ".partial";
        var stopwatch = Stopwatch.StartNew();
        try
        {
            writer.WriteTo(temporary);
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (NotSupportedException error)
        {
            throw new CommandLineException(error.Message) { ExitCode = CliApp.Failure };
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }

        var size = new FileInfo(fullPath).Length;
        output.WriteLine(
            $"wrote {fullPath}: {shape.Name}, {typeText.ToUpperInvariant()}, {InfoCommand.FormatCount(shape.ParameterCount())} parameters, " +
            $"vocab {shape.VocabSize.ToString(CultureInfo.InvariantCulture)}, {InfoCommand.FormatBytes(size)} in {stopwatch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        return 0;
    }

    /// <summary>Parses a known shape name, or a custom shape <c>embd=64,ff=128,layers=2,heads=4,kv-heads=2,vocab=300,ctx=256</c>.</summary>
    internal static LlamaShape ParseShape(string text)
    {
        var known = LlamaShape.Find(text);
        if (known is not null)
        {
            return known;
        }

        if (!text.Contains('=', StringComparison.Ordinal))
        {
            throw new CommandLineException(
                $"unknown shape '{text}' (shapes: {string.Join(", ", LlamaShape.Known.Select(static s => s.Name))}, or a custom key=value list)");
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !values.TryAdd(pair[0], pair[1]))
            {
                throw new CommandLineException($"bad shape entry '{part}' (expected key=value, each key once)");
            }
        }

        int Int(string key, int? fallback = null)
        {
            if (!values.Remove(key, out var value))
            {
                return fallback ?? throw new CommandLineException($"custom shape needs {key}=");
            }

            return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
                ? number
                : throw new CommandLineException($"shape {key}={value}: expected a positive integer");
        }

        var embd = Int("embd");
        var ff = Int("ff");
        var layers = Int("layers");
        var heads = Int("heads");
        var kvHeads = Int("kv-heads", heads);
        var vocab = Int("vocab", 300);
        var ctx = Int("ctx", 256);
        var ropeBase = 10000f;
        if (values.Remove("rope-base", out var ropeText)
            && !(float.TryParse(ropeText, NumberStyles.Float, CultureInfo.InvariantCulture, out ropeBase) && ropeBase > 0))
        {
            throw new CommandLineException($"shape rope-base={ropeText}: expected a positive number");
        }

        var tied = false;
        if (values.Remove("tied", out var tiedText) && !bool.TryParse(tiedText, out tied))
        {
            throw new CommandLineException($"shape tied={tiedText}: expected true or false");
        }

        if (values.Count > 0)
        {
            throw new CommandLineException(
                $"unknown shape key '{values.Keys.First()}' (keys: embd, ff, layers, heads, kv-heads, vocab, ctx, rope-base, tied)");
        }

        var shape = new LlamaShape("custom", embd, ff, layers, heads, kvHeads, vocab, ctx, ropeBase, tied);
        try
        {
            shape.Validate();
        }
        catch (ArgumentException error)
        {
            throw new CommandLineException(error.Message);
        }

        return shape;
    }
}
