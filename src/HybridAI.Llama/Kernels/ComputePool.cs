using System.Runtime.ExceptionServices;

namespace HybridAI.Llama;

/// <summary>
/// Persistent worker threads that run one <see cref="IComputeTask"/> at a time over contiguous ranges of items, the caller
/// taking the first range. Workers wait between runs by spinning briefly, then sleeping on a monitor.
/// </summary>
/// <remarks>
/// <see cref="Run"/> is allocation-free in steady state and must not be called concurrently or re-entrantly (one run at a
/// time, from any single thread). <see cref="Dispose"/> stops and joins the workers.
/// </remarks>
internal sealed class ComputePool : IDisposable
{
    private const int SpinIterations = 2000;

    private readonly Thread[] _workers;
    private readonly object _gate = new();
    private IComputeTask? _task;
    private int _itemCount;
    private int _generation;
    private int _pending;
    private int _sleepers;
    private int _callerWaiting;
    private volatile bool _disposed;
    private Exception? _error;

    /// <summary>Creates a pool of <paramref name="threadCount"/> threads in all, the caller included (so threadCount - 1 workers).</summary>
    public ComputePool(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threadCount);
        ThreadCount = threadCount;
        _workers = new Thread[threadCount - 1];
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

        _task = task;
        _itemCount = itemCount;
        _error = null;
        Volatile.Write(ref _pending, _workers.Length);
        Interlocked.Increment(ref _generation);
        if (Volatile.Read(ref _sleepers) > 0)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
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
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }

        foreach (var worker in _workers)
        {
            worker.Join();
        }
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

        lock (_gate)
        {
            Interlocked.Exchange(ref _callerWaiting, 1);
            while (Volatile.Read(ref _pending) != 0)
            {
                Monitor.Wait(_gate);
            }

            _callerWaiting = 0;
        }
    }

    private void WorkerLoop(int threadIndex)
    {
        var seen = 0;
        while (true)
        {
            seen = WaitForWork(seen);
            if (_disposed)
            {
                return;
            }

            ExecuteRange(threadIndex);
            if (Interlocked.Decrement(ref _pending) == 0 && Volatile.Read(ref _callerWaiting) != 0)
            {
                lock (_gate)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    private int WaitForWork(int seen)
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

        lock (_gate)
        {
            Interlocked.Increment(ref _sleepers);
            int current;
            while ((current = Volatile.Read(ref _generation)) == seen)
            {
                Monitor.Wait(_gate);
            }

            Interlocked.Decrement(ref _sleepers);
            return current;
        }
    }
}
