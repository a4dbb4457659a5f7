using System.Globalization;
using HybridAI.Llama;

namespace HybridAI.Cli;

/// <summary><c>hybridai info --model FILE</c>: what a GGUF model is, read from its header only.</summary>
internal static class InfoCommand
{
    public static int Run(CommandArguments arguments, TextWriter output)
    {
        var path = arguments.Required("model");
        arguments.ThrowIfUnused();
        if (!File.Exists(path))
        {
            throw new CommandLineException($"model file not found: {path}") { ExitCode = CliApp.Failure };
        }

        using var file = GgufFile.Open(path);
        var m = file.Metadata;
        var architecture = m.TryGetString("general.architecture", out var arch) ? arch : "(unknown)";
        var parameters = file.Tensors.Sum(static t => t.ElementCount);

        Line(output, "file", $"{file.FilePath}");
        Line(output, "format", $"GGUF v{file.Version}, {file.Tensors.Count} tensors, {m.Count} metadata keys, alignment {file.Alignment}");
        Line(output, "architecture", architecture);
        if (m.TryGetString("general.name", out var name))
        {
            Line(output, "name", name);
        }

        Line(output, "parameters", $"{FormatCount(parameters)} ({parameters.ToString("N0", CultureInfo.InvariantCulture)})");
        Line(output, "file size", $"{FormatBytes(file.FileSize)} ({file.FileSize.ToString("N0", CultureInfo.InvariantCulture)} bytes)");
        Line(output, "n_embd", Hyper(m, architecture, "embedding_length"));
        Line(output, "layers", Hyper(m, architecture, "block_count"));
        Line(output, "heads", Hyper(m, architecture, "attention.head_count"));
        Line(output, "kv heads", Hyper(m, architecture, "attention.head_count_kv"));
        Line(output, "ff", Hyper(m, architecture, "feed_forward_length"));
        Line(output, "vocab", Vocabulary(m, architecture));
        Line(output, "context", Hyper(m, architecture, "context_length"));
        if (m.TryGetFloat32($"{architecture}.rope.freq_base", out var ropeBase))
        {
            var scaling = file.FindTensor("rope_freqs.weight") is null ? string.Empty : ", rope_freqs.weight (Llama 3 scaling)";
            Line(output, "rope", $"base {ropeBase.ToString(CultureInfo.InvariantCulture)}{scaling}");
        }

        if (m.TryGetUInt32("general.file_type", out var fileType))
        {
            var typeName = Enum.IsDefined((LlamaFileType)fileType) ? $"{(LlamaFileType)fileType} ({fileType})" : fileType.ToString(CultureInfo.InvariantCulture);
            Line(output, "file type", typeName);
        }

        var typeCounts = file.Tensors.GroupBy(static t => t.Type)
            .OrderByDescending(static g => g.Count()).ThenBy(static g => g.Key)
            .Select(static g => $"{g.Key} {g.Count()}");
        Line(output, "tensor types", file.Tensors.Count == 0 ? "none (no tensors: a vocabulary-only file)" : string.Join(", ", typeCounts));
        if (file.Tensors.Count > 0)
        {
            Line(output, "output head", file.FindTensor("output.weight") is null ? "tied to token_embd" : "output.weight");
        }

        Line(output, "chat template", ChatTemplate(m));
        return 0;
    }

    private static string Hyper(GgufMetadata m, string architecture, string key) =>
        m.TryGetUInt64($"{architecture}.{key}", out var value) ? value.ToString(CultureInfo.InvariantCulture) : "(missing)";

    private static string Vocabulary(GgufMetadata m, string architecture)
    {
        var size = m.TryGetValue("tokenizer.ggml.tokens", out var tokens) ? tokens.ArrayLength
            : m.TryGetUInt32($"{architecture}.vocab_size", out var declared) ? (int)declared : -1;
        var model = m.TryGetString("tokenizer.ggml.model", out var tokenizer) ? tokenizer : "none";
        var pre = m.TryGetString("tokenizer.ggml.pre", out var preTokenizer) ? $", pre {preTokenizer}" : string.Empty;
        return size < 0 ? $"(missing), tokenizer {model}" : $"{size.ToString(CultureInfo.InvariantCulture)} (tokenizer {model}{pre})";
    }

    private static string ChatTemplate(GgufMetadata m)
    {
        if (!m.TryGetString("tokenizer.chat_template", out var template))
        {
            return "none (no tokenizer.chat_template)";
        }

        var family = ChatTemplateDetector.Detect(template);
        if (family is not null)
        {
            return family;
        }

        var firstLine = template.Split('\n', 2)[0].Trim();
        return $"unrecognized; first line: {(firstLine.Length > 100 ? firstLine[..100] + "…" : firstLine)}";
    }

    private static void Line(TextWriter output, string label, string value) => output.WriteLine($"{label + ":",-15}{value}");

    internal static string FormatCount(long count) => count switch
    {
        >= 1_000_000_000 => $"{(count / 1e9).ToString("0.00", CultureInfo.InvariantCulture)} B",
        >= 1_000_000 => $"{(count / 1e6).ToString("0.0", CultureInfo.InvariantCulture)} M",
        >= 1_000 => $"{(count / 1e3).ToString("0.0", CultureInfo.InvariantCulture)} K",
        _ => count.ToString(CultureInfo.InvariantCulture),
    };

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{(bytes / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture)} GiB",
        >= 1L << 20 => $"{(bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture)} MiB",
        >= 1L << 10 => $"{(bytes / (double)(1L << 10)).ToString("0.0", CultureInfo.InvariantCulture)} KiB",
        _ => $"{bytes.ToString(CultureInfo.InvariantCulture)} B",
    };
}
