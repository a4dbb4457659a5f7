using System.Diagnostics;
using HybridAI.Llama;

namespace HybridAI.Benchmarks;

/// <summary>
/// <c>decode FILE [THREADS] [TOKENS] [ROUNDS]</c>: single-token decode steps (one token after a 32-token prompt, then truncated
/// back) with q/k/v and gate/up fused into one pool run each, against one product after another, alternating in one process
/// so that a shared host's drift hits both alike. Prints tokens/s per round and the fused/separate ratio.
/// </summary>
internal static class DecodeProbe
{
    public static void Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: decode FILE [THREADS] [TOKENS] [ROUNDS]");
            return;
        }

        var threads = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2;
        var tokens = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 64;
        var rounds = args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 6;
        using var model = LlamaModel.Load(args[1]);
        using var context = model.CreateContext(256, KvCacheType.F16, threads);
        var prompt = Enumerable.Range(100, 32).ToArray();
        context.Decode(prompt);
        var ratios = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var fused = Measure(context, fuse: true, tokens, prompt.Length);
            var separate = Measure(context, fuse: false, tokens, prompt.Length);
            ratios.Add(fused / separate);
            Console.WriteLine($"round {round}: fused {fused:F2} t/s, separate {separate:F2} t/s, ratio {fused / separate:F3}");
        }

        ratios.Sort();
        Console.WriteLine($"median ratio {ratios[ratios.Count / 2]:F3} (min {ratios[0]:F3}, max {ratios[^1]:F3})");
    }

    private static double Measure(LlamaContext context, bool fuse, int tokens, int promptLength)
    {
        context.FuseSharedInputProducts = fuse;
        ReadOnlySpan<int> token = [200];
        context.Decode(token); // warm
        context.Truncate(promptLength);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < tokens; i++)
        {
            context.Decode(token);
            context.Truncate(promptLength);
        }

        return tokens / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
