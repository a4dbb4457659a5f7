using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <summary>
/// The plain read of memory that generation's speed is measured against (<c>hybridai bench --bandwidth</c>, the bandwidth
/// probe): 256-bit loads, 128 bytes a step, with the same two prefetch stages as the kernels' <see cref="GroupPrefetch"/>,
/// 2 KiB ahead into L1 and 16 KiB ahead into L2. That read is 4–5 % faster than with the L1 stage alone
/// (docs/benchmarks.md, session 8), so it is the limit; without prefetch it is the plainest read, for comparison.
/// </summary>
/// <remarks>Stateless and thread-safe; allocation-free.</remarks>
internal static unsafe class MemoryRead
{
    private const int NearAhead = 2 * 1024;
    private const int FarAhead = 16 * 1024;

    /// <summary>
    /// The sum of the bytes as little-endian 64-bit words (a result the JIT cannot drop), the bytes past the last whole
    /// 128-byte step added one by one. A prefetch past the end never faults.
    /// </summary>
    public static long Sum(byte* p, long bytes, bool prefetch = true)
    {
        Vector256<long> a0 = default, a1 = default, a2 = default, a3 = default;
        var end = p + bytes;
        prefetch &= Sse.IsSupported;
        for (; p + 128 <= end; p += 128)
        {
            if (prefetch)
            {
                Sse.Prefetch0(p + NearAhead);
                Sse.Prefetch0(p + NearAhead + 64);
                Sse.Prefetch1(p + FarAhead);
                Sse.Prefetch1(p + FarAhead + 64);
            }

            a0 += Vector256.Load((long*)p);
            a1 += Vector256.Load((long*)(p + 32));
            a2 += Vector256.Load((long*)(p + 64));
            a3 += Vector256.Load((long*)(p + 96));
        }

        var sum = Vector256.Sum(a0 + a1 + a2 + a3);
        for (; p < end; p++)
        {
            sum += *p;
        }

        return sum;
    }
}
