using System.Runtime.ExceptionServices;

namespace HybridAI.Llama;

/// <summary>
/// Persistent worker threads that run one <see cref="IComputeTask"/> at a time over contiguous ranges of items, the caller
/// taking the first range. Workers wait between runs, and the caller for the workers, by spinning briefly, then sleeping on
/// an event of their own.
/// </summary>
/// <remarks>
/// <see cref="Run"/> is allocation-free from the first call on, from any thread, and must not be called concurrently or
/// re-entrantly (one run at a time). <see cref="Dispose"/> stops and joins the workers.
/// <para>
/// Sleeping must not allocate in the middle of generation. On Unix, .NET allocates a thread's wait state (~2 KB) on its
/// first wait of any kind, and its monitor allocates more when no cached objects are free. So the sleeps use events made
/// with the pool, not the monitor, and each thread makes its wait state up front with a zero-timeout wait: the workers
/// when they start, a caller on its first run (see <c>docs/benchmarks.md</c>, session 5).
/// </para>
/// </remarks>
internal sealed class ComputePool : IDisposable
{
    private const int SpinIterations = 2000;

    private readonly Thread[] _workers;
    private readonly AutoResetEvent[] _wake;
    private readonly AutoResetEvent _done = new(false);
    private IComputeTask? _task;
    private int _itemCount;
    private int _generation;
    private int _pending;
    private int _sleepers;
    private int _callerWaiting;
    private volatile bool _disposed;
    private Exception? _error;

    [ThreadStatic]
    private static bool t_waitStateReady;

    /// <summary>Creates a pool of <paramref name="threadCount"/> threads in all, the caller included (so threadCount - 1 workers).</summary>
    public ComputePool(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threadCount);
        ThreadCount = threadCount;
        _workers = new Thread[threadCount - 1];
        _wake = new AutoResetEvent[_workers.Length];
        for (var i = 0; i < _wake.Length; i++)
        {
            _wake[i] = new AutoResetEvent(false);
        }

        for (var i = 0; i < _workers.Length; i++)
        {
            var index = i + 1;
            _workers[i] = new Thread(() => WorkerLoop(index))
            {
                IsBackground = true,
                Name = $"HybridAI compute {index}",
            };
            _workers[i].Start();
        }
    }

    /// <summary>Gets the number of threads that share a run, the caller included.</summary>
    public int ThreadCount { get; }

    /// <summary>
    /// Splits [0, <paramref name="itemCount"/>) into <see cref="ThreadCount"/> contiguous ranges, runs them in parallel
    /// (the caller runs range 0) and returns when all are done. The first exception thrown by any range is rethrown here
    /// after every range has finished.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    public void Run(IComputeTask task, int itemCount)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (itemCount == 0)
        {
            return;
        }

        if (_workers.Length == 0 || itemCount == 1)
        {
            task.Execute(0, itemCount, 0);
            return;
        }

        if (!t_waitStateReady)
        {
            // Makes this thread's wait state now, not in its first sleep. A stale signal this may take is one the loop in
            // WaitForWorkers would have absorbed.
            _done.WaitOne(0);
            t_waitStateReady = true;
        }

        _task = task;
        _itemCount = itemCount;
        _error = null;
        Volatile.Write(ref _pending, _workers.Length);
        Interlocked.Increment(ref _generation);
        if (Volatile.Read(ref _sleepers) > 0)
        {
            WakeWorkers();
        }

        ExecuteRange(0);
        WaitForWorkers();
        _task = null;
        var error = _error;
        if (error is not null)
        {
            _error = null;
            ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>Stops and joins the worker threads.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Interlocked.Increment(ref _generation);
        WakeWorkers();
        foreach (var worker in _workers)
        {
            worker.Join();
        }

        foreach (var wake in _wake)
        {
            wake.Dispose();
        }

        _done.Dispose();
    }

    /// <summary>Gets whether every worker thread has stopped (tests).</summary>
    internal bool AllWorkersStopped => _workers.All(w => !w.IsAlive);

    private void ExecuteRange(int threadIndex)
    {
        var n = _itemCount;
        var start = (int)((long)n * threadIndex / ThreadCount);
        var end = (int)((long)n * (threadIndex + 1) / ThreadCount);
        if (start >= end)
        {
            return;
        }

        try
        {
            _task!.Execute(start, end, threadIndex);
        }
#pragma warning disable CA1031 // Any failure is handed to the caller of Run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref _error, ex, null);
        }
    }

    // A worker that sees the new generation while spinning leaves its event set; its next sleep then wakes once at once,
    // finds no new generation and sleeps again.
    private void WakeWorkers()
    {
        foreach (var wake in _wake)
        {
            wake.Set();
        }
    }

    private void WaitForWorkers()
    {
        for (var i = 0; i < SpinIterations; i++)
        {
            if (Volatile.Read(ref _pending) == 0)
            {
                return;
            }

            Thread.SpinWait(1);
        }

        // Either the last worker sees the flag (it is set with a full fence before _pending is read again) and sets _done,
        // or this thread sees _pending reach 0. A set left over from a run that did not need it wakes one wait early, which
        // the loop absorbs.
        Interlocked.Exchange(ref _callerWaiting, 1);
        while (Volatile.Read(ref _pending) != 0)
        {
            _done.WaitOne();
        }

        Volatile.Write(ref _callerWaiting, 0);
    }

    private void WorkerLoop(int threadIndex)
    {
        var wake = _wake[threadIndex - 1];
        wake.WaitOne(0); // makes this thread's wait state now, not in its first sleep
        var seen = 0;
        while (true)
        {
            seen = WaitForWork(seen, wake);
            if (_disposed)
            {
                return;
            }

            ExecuteRange(threadIndex);
            if (Interlocked.Decrement(ref _pending) == 0 && Volatile.Read(ref _callerWaiting) != 0)
            {
                _done.Set();
            }
        }
    }

    private int WaitForWork(int seen, AutoResetEvent wake)
    {
        for (var i = 0; i < SpinIterations; i++)
        {
            var generation = Volatile.Read(ref _generation);
            if (generation != seen)
            {
                return generation;
            }

            Thread.SpinWait(1);
        }

        // As in WaitForWorkers: Run increments the generation before it reads _sleepers, this thread increments _sleepers
        // before it reads the generation, both with full fences, so one of them sees the other.
        Interlocked.Increment(ref _sleepers);
        int current;
        while ((current = Volatile.Read(ref _generation)) == seen)
        {
            wake.WaitOne();
        }

        Interlocked.Decrement(ref _sleepers);
        return current;
    }
}
