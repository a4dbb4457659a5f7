namespace HybridAI.Gemini;

/// <summary>Which Google service serves the Gemini model.</summary>
public enum GeminiBackend
{
    /// <summary>
    /// The Gemini Developer API (<c>generativelanguage.googleapis.com</c>), authenticated with an API key sent in the
    /// <c>x-goog-api-key</c> header.
    /// </summary>
    DeveloperApi = 0,

    /// <summary>
    /// Vertex AI (<c>{location}-aiplatform.googleapis.com</c>, or <c>aiplatform.googleapis.com</c> for the <c>global</c> location),
    /// authenticated with an OAuth bearer token, by default from Application Default Credentials.
    /// </summary>
    VertexAI = 1,
}
