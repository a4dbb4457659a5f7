using System.Runtime.InteropServices;

namespace HybridAI.Llama.Tests;

/// <summary>
/// Weights mapped from a GGUF file can end where the file's mapping ends. The kernels must never load a byte past a matrix's
/// end, and their software prefetches, which run one and two row groups ahead (<see cref="GroupPrefetch"/>), must be harmless
/// there. Each matrix here ends exactly where an inaccessible page begins, so a load past its end faults (the runtime turns
/// the fault in managed code into an exception, and the test fails: checked by shifting the matrix 16 bytes into the page).
/// </summary>
public sealed unsafe partial class GuardPageTests
{
    public static TheoryData<GgmlType, int> Cases()
    {
        var cases = new TheoryData<GgmlType, int>();
        foreach (var type in KernelTestData.WeightTypes)
        {
            cases.Add(type, 1);
            cases.Add(type, 5);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Multiply_MatrixEndingAtAnInaccessiblePage_ReadsNothingPastItsEnd(GgmlType type, int batch)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The guard page is made with Linux's mmap and mprotect.");

        // 64 rows: whole groups for the sixteen- and eight-row kernels, whose prefetches run furthest ahead.
        const int Rows = 64, Cols = 1024;
        var weights = KernelTestData.QuantizeRows(type, KernelTestData.RandomFloats(Rows * Cols, 11, 0.5f), Rows, Cols);
        var x = new ActivationBuffer(Cols, batch);
        x.Load(type, KernelTestData.RandomFloats(batch * Cols, 12), batch, Cols);
        var expected = new float[Rows * batch];
        var actual = new float[Rows * batch];
        var pooled = new float[Rows * batch];
        using var pool = new ComputePool(2);
        using var guarded = new GuardedRegion(weights.Length);
        weights.CopyTo(new Span<byte>(guarded.End - weights.Length, weights.Length));
        fixed (byte* wp = weights)
        fixed (float* e = expected, a = actual, p = pooled)
        {
            MatMul.Multiply(new WeightMatrix(wp, type, Rows, Cols), x, e, null);
            var atTheEdge = new WeightMatrix(guarded.End - weights.Length, type, Rows, Cols);
            MatMul.Multiply(atTheEdge, x, a, null);
            MatMul.Multiply(atTheEdge, x, p, pool);
        }

        Assert.Equal(expected, actual);
        Assert.Equal(expected, pooled);
    }

    [Fact]
    public void GuardedRegion_EndsAtAnInaccessiblePage()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The guard page is made with Linux's mmap and mprotect.");
        using var guarded = new GuardedRegion(100);
        guarded.End[-1] = 42;
        Assert.Equal(42, guarded.End[-1]);

        // The kernel's own map of this process: the page at End is mapped with no access at all.
        var start = ((nuint)guarded.End).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        var line = File.ReadLines("/proc/self/maps").Single(l => l.StartsWith(start + "-", StringComparison.Ordinal));
        Assert.Equal("---p", line.Split(' ')[1]);
    }

    private const int ProtNone = 0, ProtRead = 1, ProtWrite = 2;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial byte* Mmap(byte* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(byte* address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(byte* address, nuint length);

    /// <summary>Readable, writable pages holding at least the requested bytes, followed by one inaccessible page.</summary>
    private sealed class GuardedRegion : IDisposable
    {
        private readonly byte* _start;
        private readonly nuint _length;

        public GuardedRegion(int bytes)
        {
            var page = Environment.SystemPageSize;
            var usable = (bytes + page - 1) / page * page;
            _length = (nuint)(usable + page);
            _start = Mmap(null, _length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (_start == (byte*)-1)
            {
                throw new InvalidOperationException($"mmap failed: errno {Marshal.GetLastPInvokeError()}.");
            }

            End = _start + usable;
            if (Mprotect(End, (nuint)page, ProtNone) != 0)
            {
                throw new InvalidOperationException($"mprotect failed: errno {Marshal.GetLastPInvokeError()}.");
            }
        }

        /// <summary>Gets the first byte of the inaccessible page.</summary>
        public byte* End { get; }

        public void Dispose() => Munmap(_start, _length);
    }
}
