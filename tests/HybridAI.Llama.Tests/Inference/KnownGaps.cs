namespace HybridAI.Llama.Tests.Inference;

/// <summary>
/// Cases where the engine does not yet agree with llama.cpp or with the scalar reference, and the work is open (issue 4).
/// A listed case is still run: when it fails, the test is reported as skipped with the measured failure, so it stays
/// visible in every run; when it passes, the test fails until the case is removed from this list.
/// </summary>
internal static class KnownGaps
{
    private static readonly Dictionary<string, string> s_gaps = new(StringComparer.Ordinal)
    {
        ["reference vs llama.cpp stories260K-plctlab-q4_0"] = "the reference misses llama.cpp's first-step logits by 2.6% although the " +
            "engine equals them exactly; a single near-tie flip (margin 1e-4 step) does not explain it. Repacked Q4_0 with trained norm " +
            "weights: suspected several ties beyond the margin, as float-vs-double drift grows over the 5 layers",
    };

    /// <summary>Runs <paramref name="check"/>; turns its failure into a skip when <paramref name="key"/> is a known gap.</summary>
    public static void Check(string key, Action check)
    {
        if (!s_gaps.TryGetValue(key, out var why))
        {
            check();
            return;
        }

        try
        {
            check();
        }
        catch (Xunit.Sdk.XunitException failure)
        {
            Assert.Skip($"Known gap ({why}): {failure.Message}");
        }

        Assert.Fail($"'{key}' now passes: remove it from KnownGaps.");
    }
}
