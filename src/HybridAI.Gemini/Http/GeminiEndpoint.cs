using System.Globalization;

namespace HybridAI.Gemini;

/// <summary>Builds the URLs of <c>generateContent</c> and <c>streamGenerateContent</c> for either back end.</summary>
internal sealed class GeminiEndpoint
{
    private const string DeveloperApiAddress = "https://generativelanguage.googleapis.com/";
    private readonly string _prefix;

    public GeminiEndpoint(GeminiBackend backend, string? project, string location, Uri? baseAddress, string? apiVersion)
    {
        Backend = backend;
        string root;
        if (backend == GeminiBackend.VertexAI)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(project);
            ArgumentException.ThrowIfNullOrWhiteSpace(location);
            root = baseAddress?.ToString() ?? (string.Equals(location, "global", StringComparison.OrdinalIgnoreCase)
                ? "https://aiplatform.googleapis.com/"
                : $"https://{location}-aiplatform.googleapis.com/");
            _prefix = string.Create(CultureInfo.InvariantCulture,
                $"{WithSlash(root)}{apiVersion ?? "v1"}/projects/{Uri.EscapeDataString(project)}/locations/{Uri.EscapeDataString(location)}/publishers/google/models/");
        }
        else
        {
            root = baseAddress?.ToString() ?? DeveloperApiAddress;
            _prefix = $"{WithSlash(root)}{apiVersion ?? "v1beta"}/models/";
        }

        ServiceAddress = new Uri(WithSlash(root));
    }

    public GeminiBackend Backend { get; }

    /// <summary>The address of the service (no path), for <c>ChatClientMetadata</c>.</summary>
    public Uri ServiceAddress { get; }

    /// <summary>Returns the URL of a call for <paramref name="model"/>.</summary>
    public Uri GetUri(string model, bool stream)
    {
        var id = model.StartsWith("models/", StringComparison.Ordinal) ? model["models/".Length..] : model;
        return new Uri(_prefix + Uri.EscapeDataString(id) + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent"));
    }

    private static string WithSlash(string address) => address.EndsWith('/') ? address : address + "/";
}
