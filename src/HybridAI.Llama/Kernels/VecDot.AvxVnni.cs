using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// The 256-bit kernels' byte products: unsigned × signed bytes summed four at a time into 32-bit lanes. With AVX-VNNI
/// (<c>vpdpbusd</c>: Alder Lake and later client CPUs, Sapphire Rapids and later Xeons, Zen 5) that is one instruction that
/// also adds to an accumulator; without it, <c>vpmaddubsw</c> (pairs into 16 bits) then <c>vpmaddwd</c> by ones. Both give
/// the same exact totals whenever no pair sum leaves the 16-bit range, which every caller guarantees (4-bit and 5-bit
/// values, or |w| ≤ 128 against |x| ≤ 127), so the choice never changes a result, only the instruction count. The choice is
/// a JIT-time constant: each kernel is compiled with one path only. The K-quant mat-vec kernels' scaled sums (16-bit pair
/// products added to 32-bit accumulators) likewise become one <c>vpdpwssd</c>. The large batch kernels keep their written-out
/// forms: more inlined helpers there pushed the JIT over its inlining budget (see <c>docs/benchmarks.md</c>, session 7).
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>Gets whether the 256-bit kernels multiply bytes with AVX-VNNI's <c>vpdpbusd</c>.</summary>
    public static bool IsAvxVnniSupported => IsSimdSupported && AvxVnni.IsSupported;

    /// <summary>
    /// Int lane l (0..7) = Σ u[4l..4l+3]·s[4l..4l+3]. Exact when every adjacent pair u[2k]·s[2k] + u[2k+1]·s[2k+1] fits in
    /// 16 bits (the path without AVX-VNNI saturates there; <c>vpdpbusd</c> never does).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> SumsOfFour(Vector256<byte> u, Vector256<sbyte> s) =>
        AvxVnni.IsSupported
            ? AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, u, s)
            : Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s), Vector256.Create((short)1));

    /// <summary><paramref name="acc"/> + <see cref="SumsOfFour"/>(u, s): one instruction with AVX-VNNI.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> AddSumsOfFour(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s) =>
        AvxVnni.IsSupported
            ? AvxVnni.MultiplyWideningAndAdd(acc, u, s)
            : acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s), Vector256.Create((short)1));

    /// <summary>
    /// <paramref name="acc"/> + the pair products of 16-bit lanes (<c>vpmaddwd</c>): one <c>vpdpwssd</c> with AVX-VNNI. The
    /// same bits either way (both wrap modulo 2^32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> AddPairProducts(Vector256<int> acc, Vector256<short> a, Vector256<short> b) =>
        AvxVnni.IsSupported ? AvxVnni.MultiplyWideningAndAdd(acc, a, b) : acc + Avx2.MultiplyAddAdjacent(a, b);
}
