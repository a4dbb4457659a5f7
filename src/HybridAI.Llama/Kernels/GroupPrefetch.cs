using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <summary>
/// Software prefetch for the x64 matrix-vector kernels, which read a group of consecutive weight rows in lockstep, block by
/// block, and then the next group. Each step fetches, at the step's own pace, the span of the <em>next</em> group into L1 and
/// the same span of the group <em>after it</em> into L2. The second fetch starts each line's trip from memory one group
/// earlier, so the first finds it in L2 and holds its L1 miss buffer only briefly; with the L1 fetch alone, each waited on
/// memory and the core ran short of miss buffers. (That reading fits every variant measured; this VM exposes no counters to
/// confirm it.) In alternating runs, generation became 3–14 % faster (docs/benchmarks.md, session 8).
/// </summary>
/// <remarks>
/// Prefetches past the end of a matrix are harmless: they never fault, and they are the next tensor's bytes or nothing. A
/// local of a kernel, not shared.
/// </remarks>
internal unsafe struct GroupPrefetch
{
    private readonly nint _groupBytes;
    private byte* _next;

    /// <summary>Starts at the group after the one at <paramref name="group"/>, which spans <paramref name="groupBytes"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public GroupPrefetch(byte* group, long groupBytes)
    {
        _groupBytes = (nint)groupBytes;
        _next = group + groupBytes;
    }

    /// <summary>
    /// Fetches the next <paramref name="bytes"/> (at most 1 024) of both groups ahead, in whole 64-byte lines, and moves on by
    /// as many. <paramref name="bytes"/> is a constant at every call site, so the line tests below fold away: the JIT does not
    /// unroll loops, and a loop here cost spills in the Q4_0 kernel's Tier1 code.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(int bytes)
    {
        Debug.Assert(bytes is > 0 and <= 1024, "a step's span is one to sixteen lines");
        var next = _next;
        Lines(next, bytes, toL2: false);
        Lines(next + _groupBytes, bytes, toL2: true);
        _next = next + bytes;
    }

    // toL2 is a constant at every call too, so each line is one prefetch instruction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lines(byte* p, int bytes, bool toL2)
    {
        Fetch(p, toL2);
        if (bytes > 1 * 64) Fetch(p + (1 * 64), toL2);
        if (bytes > 2 * 64) Fetch(p + (2 * 64), toL2);
        if (bytes > 3 * 64) Fetch(p + (3 * 64), toL2);
        if (bytes > 4 * 64) Fetch(p + (4 * 64), toL2);
        if (bytes > 5 * 64) Fetch(p + (5 * 64), toL2);
        if (bytes > 6 * 64) Fetch(p + (6 * 64), toL2);
        if (bytes > 7 * 64) Fetch(p + (7 * 64), toL2);
        if (bytes > 8 * 64) Fetch(p + (8 * 64), toL2);
        if (bytes > 9 * 64) Fetch(p + (9 * 64), toL2);
        if (bytes > 10 * 64) Fetch(p + (10 * 64), toL2);
        if (bytes > 11 * 64) Fetch(p + (11 * 64), toL2);
        if (bytes > 12 * 64) Fetch(p + (12 * 64), toL2);
        if (bytes > 13 * 64) Fetch(p + (13 * 64), toL2);
        if (bytes > 14 * 64) Fetch(p + (14 * 64), toL2);
        if (bytes > 15 * 64) Fetch(p + (15 * 64), toL2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fetch(byte* p, bool toL2)
    {
        if (toL2)
        {
            Sse.Prefetch1(p);
        }
        else
        {
            Sse.Prefetch0(p);
        }
    }
}
