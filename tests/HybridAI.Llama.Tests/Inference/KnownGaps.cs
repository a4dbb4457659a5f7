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
        ["greedy stories260K-plctlab-q4_0 F32"] = "clear-margin divergence at a late step of one prompt with the F32 cache; cause not yet found",
        ["greedy stories260K-plctlab-q8_0 F32"] = "clear-margin divergence at a late step of one prompt with the F32 cache; cause not yet found",
        ["greedy random-small-bf16 F32"] = "clear-margin divergence at step 19 of one prompt with the F32 cache; BF16 matmul order suspected",
        ["logits random-small-q4_k_s"] = "first-step logits differ by 0.17 although greedy tokens match; cause not yet found",
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
