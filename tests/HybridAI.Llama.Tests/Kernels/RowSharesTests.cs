namespace HybridAI.Llama.Tests;

public sealed class RowSharesTests
{
    [Fact]
    public void TakeNext_OwnShareFrontToBackThenOthersFromTheBack()
    {
        var shares = new RowShares();
        shares.Plan(threads: 2, rows: 100, chunk: 16);

        // Thread 1 runs alone (thread 0 "starts late"): its own share [50, 100) front to back, then thread 0's from the back.
        var taken = new List<(int, int)>();
        while (shares.TakeNext(1, out var start, out var end))
        {
            taken.Add((start, end));
        }

        Assert.Equal([(50, 66), (66, 82), (82, 98), (98, 100), (34, 50), (18, 34), (2, 18), (0, 2)], taken);
        Assert.False(shares.TakeNext(0, out _, out _));
    }

    [Fact]
    public void TakeNext_ManyThreads_HandOutEveryRowExactlyOnce()
    {
        const int Rows = 100_003;
        var shares = new RowShares();
        for (var round = 0; round < 20; round++)
        {
            shares.Plan(threads: 4, Rows, chunk: 16 + round);
            var counts = new int[Rows];
            Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
            {
                while (shares.TakeNext(t, out var start, out var end))
                {
                    for (var r = start; r < end; r++)
                    {
                        Interlocked.Increment(ref counts[r]);
                    }
                }
            });

            Assert.All(counts, c => Assert.Equal(1, c));
        }
    }

    [Fact]
    public void Plan_MoreThreadsThanRows_LeavesSomeSharesEmpty()
    {
        var shares = new RowShares();
        shares.Plan(threads: 4, rows: 2, chunk: 16); // shares [0,0), [0,1), [1,1), [1,2)

        Assert.True(shares.TakeNext(0, out var start, out var end));
        Assert.Equal((0, 1), (start, end));
        Assert.True(shares.TakeNext(0, out start, out end));
        Assert.Equal((1, 2), (start, end));
        Assert.False(shares.TakeNext(0, out _, out _));
        Assert.False(shares.TakeNext(3, out _, out _));
    }
}
