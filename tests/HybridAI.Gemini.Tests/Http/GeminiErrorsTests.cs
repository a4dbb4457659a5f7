namespace HybridAI.Gemini.Tests;

public sealed class GeminiErrorsTests
{
    [Theory]
    [InlineData("12s", 12_000)]
    [InlineData("0.5s", 500)]
    [InlineData("58.934310785s", 58_934.310785)]
    [InlineData("0s", 0)]
    public void ParseDuration_ProtobufDuration_ReturnsTheTime(string text, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GeminiErrors.ParseDuration(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("s")]
    [InlineData("-3s")]
    [InlineData("1e9999s")]
    public void ParseDuration_NotADuration_ReturnsNull(string text)
    {
        Assert.Null(GeminiErrors.ParseDuration(text));
    }

    [Fact]
    public void ParseBody_VertexArrayWrappedError_ReadsTheFirstError()
    {
        var error = GeminiErrors.ParseBody("""[{"error":{"code":429,"message":"Resource exhausted.","status":"RESOURCE_EXHAUSTED"}}]"""u8);

        Assert.Equal(429, error?.Code);
        Assert.Equal("RESOURCE_EXHAUSTED", error?.Status);
    }

    [Fact]
    public void ParseBody_NotJson_ReturnsNull()
    {
        Assert.Null(GeminiErrors.ParseBody("<html>Bad gateway</html>"u8));
    }
}
