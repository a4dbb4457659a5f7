using Xunit;

namespace HybridAI.Testing;

/// <summary>
/// Finds the shared conformance fixtures (tiny GGUF models, llama.cpp reference outputs, tokenizer vectors).
/// They live outside the repository: <c>HYBRIDAI_FIXTURES</c>, or <c>../shared/fixtures</c> beside the repository root.
/// </summary>
public static class Fixtures
{
    /// <summary>The message a conformance test skips with when the fixtures are absent.</summary>
    public const string MissingMessage =
        "Conformance fixtures not found. Set HYBRIDAI_FIXTURES to the folder holding models/, reference/ and vocab/ " +
        "(the project's shared/fixtures), or place it at ../shared/fixtures beside the repository root.";

    private static readonly Lazy<string?> s_root = new(FindRoot);

    /// <summary>The fixtures folder, or null when it cannot be found.</summary>
    public static string? Root => s_root.Value;

    /// <summary>Returns the full path of a file under the fixtures folder, or skips the calling test when the fixtures are absent.</summary>
    public static string PathOf(string relativePath)
    {
        var root = Root;
        if (root is null)
        {
            Assert.Skip(MissingMessage);
        }

        var path = Path.Combine(root, relativePath);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            // The folder exists but this file is missing: that is a broken fixture set, not an absent one.
            throw new FileNotFoundException($"Fixture '{relativePath}' is missing from '{root}'.", path);
        }

        return path;
    }

    private static string? FindRoot()
    {
        var configured = Environment.GetEnvironmentVariable("HYBRIDAI_FIXTURES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        // Walk up from the test binaries to the repository root (the folder holding HybridAI.sln), then ../shared/fixtures.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HybridAI.sln")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
