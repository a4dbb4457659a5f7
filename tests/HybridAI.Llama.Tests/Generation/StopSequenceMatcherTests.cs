namespace HybridAI.Llama.Tests;

public sealed class StopSequenceMatcherTests
{
    [Fact]
    public void Push_StopAcrossPieces_HoldsBackThenDropsIt()
    {
        var matcher = new StopSequenceMatcher(["\nUser:"]);
        Assert.Equal("Hello", matcher.Push("Hello", out var stopped));
        Assert.False(stopped);
        Assert.Equal(string.Empty, matcher.Push("\nUs", out stopped));
        Assert.False(stopped);
        Assert.True(matcher.IsHolding);
        Assert.Equal(string.Empty, matcher.Push("er:", out stopped));
        Assert.True(stopped);
    }

    [Fact]
    public void Push_FalseStart_ReleasesHeldText()
    {
        var matcher = new StopSequenceMatcher(["END"]);
        Assert.Equal("a", matcher.Push("aE", out _));
        Assert.Equal(string.Empty, matcher.Push("N", out _));
        Assert.Equal("ENx", matcher.Push("x", out var stopped));
        Assert.False(stopped);
    }

    [Fact]
    public void Push_TextBeforeStopInSamePiece_IsReleased()
    {
        var matcher = new StopSequenceMatcher(["###"]);
        Assert.Equal("done.", matcher.Push("done.###more", out var stopped));
        Assert.True(stopped);
    }

    [Fact]
    public void Push_EarliestOfSeveralStops_Wins()
    {
        var matcher = new StopSequenceMatcher(["bb", "a"]);
        Assert.Equal("x", matcher.Push("xabb", out var stopped));
        Assert.True(stopped);
    }

    [Fact]
    public void Flush_ReleasesHeldPrefix()
    {
        var matcher = new StopSequenceMatcher(["</answer>"]);
        Assert.Equal("42", matcher.Push("42</ans", out _));
        Assert.Equal("</ans", matcher.Flush());
        Assert.False(matcher.IsHolding);
    }

    [Fact]
    public void Push_NoStops_PassesThrough()
    {
        var matcher = new StopSequenceMatcher(["", ""]);
        Assert.Equal("abc", matcher.Push("abc", out var stopped));
        Assert.False(stopped);
    }
}
