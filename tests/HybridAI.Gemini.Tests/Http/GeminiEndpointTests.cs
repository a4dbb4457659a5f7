namespace HybridAI.Gemini.Tests;

public sealed class GeminiEndpointTests
{
    [Theory]
    [InlineData(false, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent")]
    [InlineData(true, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")]
    public void GetUri_DeveloperApi_UsesGenerativeLanguageHost(bool stream, string expected)
    {
        var endpoint = new GeminiEndpoint(GeminiBackend.DeveloperApi, project: null, "global", baseAddress: null, apiVersion: null);

        Assert.Equal(expected, endpoint.GetUri("models/gemini-2.5-flash", stream).ToString());
    }

    [Theory]
    [InlineData("us-central1", false,
        "https://us-central1-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent")]
    [InlineData("europe-west4", true,
        "https://europe-west4-aiplatform.googleapis.com/v1/projects/my-proj/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse")]
    [InlineData("global", false,
        "https://aiplatform.googleapis.com/v1/projects/my-proj/locations/global/publishers/google/models/gemini-2.5-pro:generateContent")]
    public void GetUri_VertexAI_UsesRegionalOrGlobalHost(string location, bool stream, string expected)
    {
        var endpoint = new GeminiEndpoint(GeminiBackend.VertexAI, "my-proj", location, baseAddress: null, apiVersion: null);

        Assert.Equal(expected, endpoint.GetUri("gemini-2.5-pro", stream).ToString());
    }

    [Fact]
    public void GetUri_BaseAddressWithPath_KeepsThePathPrefixAndApiVersion()
    {
        var endpoint = new GeminiEndpoint(GeminiBackend.VertexAI, "p", "global", new Uri("http://proxy.internal:8080/google"), "v1beta1");

        Assert.Equal(
            "http://proxy.internal:8080/google/v1beta1/projects/p/locations/global/publishers/google/models/m:generateContent",
            endpoint.GetUri("m", stream: false).ToString());
    }
}
