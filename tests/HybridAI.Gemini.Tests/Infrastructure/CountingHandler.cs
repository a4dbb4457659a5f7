namespace HybridAI.Gemini.Tests;

/// <summary>A message handler that counts the requests passing through it, to prove which HttpClient a model used.</summary>
internal sealed class CountingHandler : DelegatingHandler
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return base.SendAsync(request, cancellationToken);
    }
}
