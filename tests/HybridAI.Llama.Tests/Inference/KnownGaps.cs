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
        ["greedy stories260K-plctlab-q4_0 F32"] = "clear-margin divergence at a late step of one prompt with the F32 cache. Per-step top-2 " +
            "margins equal llama.cpp's to 1e-9 except at isolated steps (6, 9, 12, 16, ...: 5e-3 to 6e-2) that do not carry over to " +
            "the next step, i.e. a last-layer, post-KV difference in single-token decoding; F16-cache runs agree at every step. A fused " +
            "tail in VectorMath.DotF32 leaves these steps unchanged (and breaks stories q8_0 at another step), so the tail is not it",
        ["greedy stories260K-plctlab-q8_0 F32"] = "clear-margin divergence at a late step of one prompt with the F32 cache; cause not yet found",
        ["greedy random-small-bf16 F32"] = "clear-margin divergence at step 19 of one prompt with the F32 cache; BF16 matmul order suspected",
        ["logits random-small-q4_k_s"] = "first-step logits differ by 0.17 (F32 cache, measured) although greedy tokens match. The scalar " +
            "reference equals llama.cpp here (1.2e-7 relative) while the engine does not: the engine departs from both once token 445 " +
            "(position 7) is in the prompt (prefixes of 1-7 tokens agree to 2e-6, 8-10 and 12-13 differ by ~0.17, 11 agrees). The " +
            "reference reproduces the engine by rounding one of token 445's layer-0 Q8_K inputs (exact ties from the Q6_K embedding) " +
            "the other way, so some engine value feeding that quantization differs from ggml's in its last bit; not yet located",
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
