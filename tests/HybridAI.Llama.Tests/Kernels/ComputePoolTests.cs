namespace HybridAI.Llama.Tests;

public sealed class ComputePoolTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Run_CoversEveryItemOnceInContiguousRanges(int threads)
    {
        using var pool = new ComputePool(threads);
        foreach (var count in new[] { 1, 2, 3, 7, 64, 1001 })
        {
            var task = new RecordingTask(count);
            pool.Run(task, count);

            Assert.All(task.Hits, h => Assert.Equal(1, h));
            Assert.True(task.MaxThreadIndex < threads);
        }
    }

    [Fact]
    public void Run_ManyRuns_MatchSingleThreadedSums()
    {
        var data = KernelTestData.RandomFloats(4096, seed: 1);
        using var single = new ComputePool(1);
        using var pool = new ComputePool(3);
        var expected = new SumTask(data, 64);
        single.Run(expected, 64);
        var actual = new SumTask(data, 64);
        for (var run = 0; run < 2000; run++)
        {
            Array.Clear(actual.Sums);
            pool.Run(actual, 64);
            Assert.Equal(expected.Sums, actual.Sums);
        }
    }

    [Fact]
    public void Run_AfterWorkersFellAsleep_StillCompletes()
    {
        using var pool = new ComputePool(2);
        var task = new RecordingTask(10);
        pool.Run(task, 10);
        Thread.Sleep(50); // past the spin phase: the worker now sleeps on its event
        task = new RecordingTask(10);
        pool.Run(task, 10);
        Assert.All(task.Hits, h => Assert.Equal(1, h));
    }

    /// <summary>
    /// After a thread's first run, both sleeping paths allocate nothing on it: waking workers that fell asleep, and
    /// sleeping until a slow worker finishes. A new thread runs the pool before it ever waits or sleeps otherwise (on Unix
    /// its first wait of any kind makes its wait state, ~2 KB, which the pool makes on a thread's first run), then takes
    /// both paths twice.
    /// </summary>
    [Fact]
    public void Run_SleepingPaths_AllocateNothingAfterTheThreadsFirstRun()
    {
        using var pool = new ComputePool(2);
        var task = new SlowWorkerTask();
        pool.Run(task, 2); // compiles Run and the task
        long allocated = -1;
        var thread = new Thread(() =>
        {
            pool.Run(task, 2); // this thread's first run
            task.WorkerDelayMs = 30; // from now on the caller outlasts its spin waiting for the worker
            allocated = 0;
            for (var i = 0; i < 2; i++)
            {
                Thread.Sleep(50); // the worker falls asleep
                var before = GC.GetAllocatedBytesForCurrentThread();
                pool.Run(task, 2);
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Equal(4, task.WorkerRuns);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Run_TaskThrows_ExceptionReachesCallerAndPoolStaysUsable(int failingItem)
    {
        using var pool = new ComputePool(2);
        var error = Assert.Throws<InvalidOperationException>(() => pool.Run(new ThrowingTask(failingItem), 8));
        Assert.Equal($"item {failingItem}", error.Message);

        var task = new RecordingTask(8);
        pool.Run(task, 8);
        Assert.All(task.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Dispose_StopsWorkerThreads_AndRunThenThrows()
    {
        var pool = new ComputePool(4);
        pool.Run(new RecordingTask(16), 16);
        pool.Dispose();

        Assert.True(pool.AllWorkersStopped);
        Assert.Throws<ObjectDisposedException>(() => pool.Run(new RecordingTask(4), 4));
        pool.Dispose(); // idempotent
    }

    [Fact]
    public void Run_ZeroItems_DoesNothing()
    {
        using var pool = new ComputePool(2);
        var task = new RecordingTask(0);
        pool.Run(task, 0);
        Assert.Equal(-1, task.MaxThreadIndex);
    }

    private sealed class SlowWorkerTask : IComputeTask
    {
        private int _workerRuns;

        public int WorkerDelayMs { get; set; }

        public int WorkerRuns => Volatile.Read(ref _workerRuns);

        public void Execute(int start, int end, int threadIndex)
        {
            if (threadIndex != 0)
            {
                if (WorkerDelayMs > 0)
                {
                    Thread.Sleep(WorkerDelayMs);
                }

                Interlocked.Increment(ref _workerRuns);
            }
        }
    }

    private sealed class RecordingTask(int count) : IComputeTask
    {
        public int[] Hits { get; } = new int[count];

        public int MaxThreadIndex { get; private set; } = -1;

        public void Execute(int start, int end, int threadIndex)
        {
            for (var i = start; i < end; i++)
            {
                Interlocked.Increment(ref Hits[i]);
            }

            lock (Hits)
            {
                MaxThreadIndex = Math.Max(MaxThreadIndex, threadIndex);
            }
        }
    }

    private sealed class SumTask(float[] data, int groups) : IComputeTask
    {
        public float[] Sums { get; } = new float[groups];

        public void Execute(int start, int end, int threadIndex)
        {
            var size = data.Length / Sums.Length;
            for (var g = start; g < end; g++)
            {
                var sum = 0f;
                for (var i = 0; i < size; i++)
                {
                    sum += data[(g * size) + i];
                }

                Sums[g] = sum;
            }
        }
    }

    private sealed class ThrowingTask(int failingItem) : IComputeTask
    {
        public void Execute(int start, int end, int threadIndex)
        {
            if (failingItem >= start && failingItem < end)
            {
                throw new InvalidOperationException($"item {failingItem}");
            }
        }
    }
}
