using System.Text;

namespace HybridAI.Gemini.Tests;

public sealed class ServerSentEventReaderTests
{
    public static TheoryData<string, int[]> LineEndsAndChunkings()
    {
        var data = new TheoryData<string, int[]>();
        foreach (var lineEnd in new[] { "\r\n", "\n", "\r" })
        {
            data.Add(lineEnd, [1]);
            data.Add(lineEnd, [2]);
            data.Add(lineEnd, [3, 1, 4, 1, 5, 9, 2, 6]);
            data.Add(lineEnd, [7, 1]);
            data.Add(lineEnd, [4096]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LineEndsAndChunkings))]
    public async Task ReadEventDataAsync_SplitAnywhere_ReturnsEachEventWhole(string lineEnd, int[] chunkSizes)
    {
        var body =
            $": a comment{lineEnd}" +
            $"data: {{\"text\":\"héllo wörld 🌍 日本\"}}{lineEnd}{lineEnd}" +
            $"event: ignored{lineEnd}id: 7{lineEnd}data:no-space{lineEnd}{lineEnd}" +
            $"data: {{\"a\":{lineEnd}data: 1}}{lineEnd}{lineEnd}" +
            $"{lineEnd}{lineEnd}" +
            $"data: last{lineEnd}{lineEnd}";
        using var reader = new ServerSentEventReader(new TrickleStream(Encoding.UTF8.GetBytes(body), chunkSizes));

        var events = new List<string>();
        while (await reader.ReadEventDataAsync(CancellationToken.None) is { } data)
        {
            events.Add(Encoding.UTF8.GetString(data.Span));
        }

        Assert.Equal(["{\"text\":\"héllo wörld 🌍 日本\"}", "no-space", "{\"a\":\n1}", "last"], events);
    }

    [Fact]
    public async Task ReadEventDataAsync_StreamEndsInsideEvent_DiscardsTheIncompleteEvent()
    {
        var body = "data: {\"complete\":true}\n\ndata: {\"cut\":";
        using var reader = new ServerSentEventReader(new TrickleStream(Encoding.UTF8.GetBytes(body), 3));

        var first = await reader.ReadEventDataAsync(CancellationToken.None);
        var second = await reader.ReadEventDataAsync(CancellationToken.None);

        Assert.Equal("{\"complete\":true}", Encoding.UTF8.GetString(first!.Value.Span));
        Assert.Null(second);
    }

    [Fact]
    public async Task ReadEventDataAsync_EventLargerThanBuffer_GrowsAndReturnsIt()
    {
        var payload = new string('x', 100_000);
        var body = $"data: {payload}\r\n\r\n";
        using var reader = new ServerSentEventReader(new TrickleStream(Encoding.UTF8.GetBytes(body), 8191));

        var data = await reader.ReadEventDataAsync(CancellationToken.None);

        Assert.Equal(payload, Encoding.UTF8.GetString(data!.Value.Span));
        Assert.Null(await reader.ReadEventDataAsync(CancellationToken.None));
    }
}
