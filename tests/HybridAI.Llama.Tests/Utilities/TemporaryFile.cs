namespace HybridAI.Llama.Tests;

/// <summary>A file in the temp folder, deleted on dispose.</summary>
public sealed class TemporaryFile : IDisposable
{
    public TemporaryFile(string extension = ".gguf")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"hybridai-{Guid.NewGuid():N}{extension}");
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Best effort: a leaked temp file is not a test failure.
        }
    }
}
