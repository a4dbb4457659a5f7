using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q4_0 in llama.cpp's repacked (interleaved) order, eight weight rows at a time with AVX2: the matrix-vector kernel for
/// CPUs without AVX-512. The float arithmetic is <see cref="Q4_0InterleavedScalar"/>'s row by row (per block one exact
/// integer total, one rounded scale product d_w·d_x, one FMA into the row's accumulator), so the results are bit-identical.
/// The integer work is reorganised as in <see cref="Q4_0InterleavedRows16Avx512"/>:
/// <list type="bullet">
/// <item>Two rows share one 256-bit register, one row's 16 packed bytes per 128-bit lane, so one shift and two masks
/// unpack two rows' nibbles and the activation's halves are broadcast once per block.</item>
/// <item>The eight rows' 16-bit pair sums are reduced by three horizontal adds and one multiply-add, which stays exact in
/// 16 bits: a lane holds at most 16 products of a nibble (≤ 15) and an activation (|x| ≤ 128), 30 720 &lt; 2^15.</item>
/// <item>The −8 of every nibble is one subtraction of 8·Σx per block, with the activation's block sums
/// (<see cref="ActivationBuffer.BlockSums"/>) computed once when it is quantized.</item>
/// <item>The eight F16 scales are packed in general-purpose registers and widened together exactly (<see cref="WidenHalves(Vector256{int})"/>).</item>
/// </list>
/// The accumulator's lanes hold rows 0, 2, 4, 6, 1, 3, 5, 7 (the reduction's order) until the store puts them back.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>
    /// Eight rows × one activation row in interleaved order: <c>y[i] = Σ_b total(i, b) · (d_w(i, b) · d_x(b))</c>, block after
    /// block, for rows i = 0..7 starting at <paramref name="w"/>, <paramref name="rowStride"/> bytes apart;
    /// <paramref name="sums"/> holds the activation's block sums.
    /// </summary>
    internal static void Q4_0InterleavedRows8Simd(byte* w, long rowStride, byte* x, int* sums, int n, float* y)
    {
        var acc = Vector256<float>.Zero;
        var ones = Vector256.Create((short)1);
        var low = Vector256.Create((byte)0x0F);
        var s = (nint)rowStride;
        byte* w0 = w, w2 = w + (2 * s), w4 = w + (4 * s), w6 = w + (6 * s);
        var next = w + (8 * s);
        for (var b = 0; b < n / 32; b++)
        {
            // The next eight rows are one contiguous region; walk it at this group's pace (8 × 18 bytes a block).
            Sse.Prefetch0(next);
            Sse.Prefetch0(next + 64);
            Sse.Prefetch0(next + 128);
            next += 8 * Q4_0Bytes;

            var xlo = Avx2.BroadcastVector128ToVector256((sbyte*)(x + 2));
            var xhi = Avx2.BroadcastVector128ToVector256((sbyte*)(x + 18));
            var h = Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(RowPairSums(w0, s, xlo, xhi, low), RowPairSums(w2, s, xlo, xhi, low)),
                Avx2.HorizontalAdd(RowPairSums(w4, s, xlo, xhi, low), RowPairSums(w6, s, xlo, xhi, low)));
            var totals = Avx2.MultiplyAddAdjacent(h, ones) - Vector256.Create(sums[b] << 3);
            var dw = WidenHalves(Avx2.ConvertToVector256Int32(Vector128.Create(
                RowGroups.Pack4(w0, w2, w4, w6), RowGroups.Pack4(w0 + s, w2 + s, w4 + s, w6 + s)).AsUInt16()));
            acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(totals), dw * Vector256.Create(Float16.ToSingle(*(ushort*)x)), acc);
            w0 += Q4_0Bytes;
            w2 += Q4_0Bytes;
            w4 += Q4_0Bytes;
            w6 += Q4_0Bytes;
            x += Q8_0Bytes;
        }

        Avx2.PermuteVar8x32(acc, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).Store(y);
    }

    /// <summary>
    /// The blocks at <paramref name="block"/> and one row further against one activation block (its halves broadcast in
    /// <paramref name="xlo"/>, <paramref name="xhi"/>): per 128-bit lane one row's eight 16-bit sums of four products q·x
    /// (nibbles q in 0..15, no −8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> RowPairSums(byte* block, nint rowStride, Vector256<sbyte> xlo, Vector256<sbyte> xhi, Vector256<byte> low)
    {
        var packed = Vector256.Create(Vector128.Load(block + 2), Vector128.Load(block + rowStride + 2));
        var lo = packed & low;
        var hi = (packed.AsUInt16() >> 4).AsByte() & low;
        return Avx2.MultiplyAddAdjacent(lo, xlo) + Avx2.MultiplyAddAdjacent(hi, xhi);
    }

    /// <summary>
    /// Eight F16 values (the low 16 bits of each lane, the high bits zero) widened to float exactly by integer arithmetic:
    /// the AVX2 twin of <see cref="WidenHalves(Vector512{int})"/> (no float operation sees a subnormal input).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> WidenHalves(Vector256<int> h)
    {
        var exponent = h & Vector256.Create(0x7C00);
        var mantissa = h & Vector256.Create(0x03FF);
        var normal = Vector256.ShiftLeft(h & Vector256.Create(0x7FFF), 13) + Vector256.Create(112 << 23);
        var subnormal = (Avx.ConvertToVector256Single(mantissa) * Vector256.Create(1.0f / (1 << 24))).AsInt32();
        var infinityOrNaN = Vector256.ShiftLeft(mantissa, 13) | Vector256.Create(0x7F800000);
        var bits = Vector256.ConditionalSelect(
            Vector256.Equals(exponent, Vector256<int>.Zero),
            subnormal,
            Vector256.ConditionalSelect(Vector256.Equals(exponent, Vector256.Create(0x7C00)), infinityOrNaN, normal));
        return (bits | Vector256.ShiftLeft(h & Vector256.Create(0x8000), 16)).AsSingle();
    }
}
