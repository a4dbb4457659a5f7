namespace HybridAI.Llama.Tests.Inference;

/// <summary>
/// Cases where the engine does not yet agree with llama.cpp or with the scalar reference, and the work is open (issue 4).
/// A listed case is still run: when it fails, the test is reported as skipped with the measured failure, so it stays
/// visible in every run; when it passes, the test fails until the case is removed from this list.
/// </summary>
internal static class KnownGaps
{
    // Empty: every conformance case passes (2026-11-24). Add "key" = "what is measured and why" for a case that is open.
    private static readonly Dictionary<string, string> s_gaps = new(StringComparer.Ordinal)
    {
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
