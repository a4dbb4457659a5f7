using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q4_0 in llama.cpp's repacked (interleaved) order, sixteen weight rows at a time with AVX-512BW. The float arithmetic is
/// that of <see cref="Q4_0InterleavedScalar"/> row by row: per block one exact integer total, one rounded scale product
/// d_w·d_x and one FMA into the row's accumulator, so the results are bit-identical. What changes is the integer work,
/// where order is free:
/// <list type="bullet">
/// <item>Four rows share one 512-bit register, one row's 16 packed bytes per 128-bit lane: the low nibbles are the row's
/// first 16 elements and the high nibbles its last 16, so the activation's two halves are broadcast once to all four lanes
/// and every instruction works for four rows (no per-row broadcast or cross-lane shift).</item>
/// <item>The −8 of every nibble is one subtraction of 8·Σx per block from the exact totals of all sixteen rows, with the
/// activation's nibble offsets, 8·Σx per block (<see cref="ActivationBuffer.NibbleOffsets"/>) computed once when it is quantized.</item>
/// <item>Sixteen rows' lane sums are reduced together by one transposing reduction (unpacks and adds, no horizontal adds),
/// leaving one exact total per 32-bit lane, and one 16-lane FMA updates all sixteen accumulators.</item>
/// <item>The sixteen F16 scales are widened together, exactly, as the type argument says: by integer arithmetic for any F16
/// value (<see cref="AnyScales"/>), or in three vector operations where the matrix has only normal and zero scales
/// (<see cref="NormalScales"/>: 4–8 % faster generation in alternating runs).</item>
/// </list>
/// The accumulator lanes hold rows in the reduction's order (lane 4k + g holds row 4g + k) until the store transposes them.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>
    /// Sixteen rows × one activation row in interleaved order: <c>y[i] = Σ_b total(i, b) · (d_w(i, b) · d_x(b))</c>, block
    /// after block, for rows i = 0..15 starting at <paramref name="w"/>, <paramref name="rowStride"/> bytes apart;
    /// <paramref name="offsets"/> holds the activation's nibble offsets (8·Σx per block).
    /// </summary>
    internal static void Q4_0InterleavedRows16Avx512<TScales>(byte* w, long rowStride, byte* x, int* offsets, int n, float* y)
        where TScales : struct, IHalfScales
    {
        var rows = new RowGroups(w, rowStride);
        var acc = Vector512<float>.Zero;
        var ones = Vector512.Create((short)1);
        var low = Vector512.Create((byte)0x0F);
        var prefetch = new GroupPrefetch(w, 16 * rowStride);
        for (var b = 0; b < n / 32; b++)
        {
            prefetch.Step(16 * Q4_0Bytes);

            acc = BlockStep16(
                new Unpacked(rows.Load(0), low), new Unpacked(rows.Load(1), low), new Unpacked(rows.Load(2), low),
                new Unpacked(rows.Load(3), low), rows.Scales<TScales>(), x, offsets + b, ones, acc);
            rows.Advance();
            x += Q8_0Bytes;
        }

        StoreRows16(acc, y);
    }

    /// <summary>
    /// Sixteen weight rows × four activation rows in interleaved order (the batch path): each weight block is unpacked and
    /// its scales widened once for the four activation rows; every output keeps the arithmetic of
    /// <see cref="Q4_0InterleavedRows16Avx512"/>. Output (activation row j, weight row i) goes to
    /// <c>y[j·yStride + i]</c>.
    /// </summary>
    internal static void Q4_0InterleavedRows16x4Avx512<TScales>(
        byte* w, long rowStride, byte* x, long xStride, int* offsets, int offsetsStride, int n, float* y, long yStride)
        where TScales : struct, IHalfScales
    {
        var rows = new RowGroups(w, rowStride);
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var ones = Vector512.Create((short)1);
        var low = Vector512.Create((byte)0x0F);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        int* s0 = offsets, s1 = offsets + offsetsStride, s2 = offsets + (2 * offsetsStride), s3 = offsets + (3 * offsetsStride);
        for (var b = 0; b < n / 32; b++)
        {
            var w0 = new Unpacked(rows.Load(0), low);
            var w1 = new Unpacked(rows.Load(1), low);
            var w2 = new Unpacked(rows.Load(2), low);
            var w3 = new Unpacked(rows.Load(3), low);
            var dw = rows.Scales<TScales>();
            acc0 = BlockStep16(w0, w1, w2, w3, dw, x0, s0 + b, ones, acc0);
            acc1 = BlockStep16(w0, w1, w2, w3, dw, x1, s1 + b, ones, acc1);
            acc2 = BlockStep16(w0, w1, w2, w3, dw, x2, s2 + b, ones, acc2);
            acc3 = BlockStep16(w0, w1, w2, w3, dw, x3, s3 + b, ones, acc3);
            rows.Advance();
            x0 += Q8_0Bytes;
            x1 += Q8_0Bytes;
            x2 += Q8_0Bytes;
            x3 += Q8_0Bytes;
        }

        StoreRows16(acc0, y);
        StoreRows16(acc1, y + yStride);
        StoreRows16(acc2, y + (2 * yStride));
        StoreRows16(acc3, y + (3 * yStride));
    }

    /// <summary>
    /// Sixteen weight rows × eight activation rows in interleaved order: as <see cref="Q4_0InterleavedRows16x4Avx512"/>, with
    /// each weight block unpacked and its sixteen scales widened once for eight activation rows instead of four.
    /// </summary>
    internal static void Q4_0InterleavedRows16x8Avx512<TScales>(
        byte* w, long rowStride, byte* x, long xStride, int* offsets, int offsetsStride, int n, float* y, long yStride)
        where TScales : struct, IHalfScales
    {
        var rows = new RowGroups(w, rowStride);
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        var ones = Vector512.Create((short)1);
        var low = Vector512.Create((byte)0x0F);
        var xs = (nint)xStride;
        var ss = (nint)offsetsStride;
        for (var b = 0; b < n / 32; b++)
        {
            var w0 = new Unpacked(rows.Load(0), low);
            var w1 = new Unpacked(rows.Load(1), low);
            var w2 = new Unpacked(rows.Load(2), low);
            var w3 = new Unpacked(rows.Load(3), low);
            var dw = rows.Scales<TScales>();
            var xb = x;
            var sb = offsets + b;
            acc0 = BlockStep16(w0, w1, w2, w3, dw, xb, sb, ones, acc0);
            acc1 = BlockStep16(w0, w1, w2, w3, dw, xb += xs, sb += ss, ones, acc1);
            acc2 = BlockStep16(w0, w1, w2, w3, dw, xb += xs, sb += ss, ones, acc2);
            acc3 = BlockStep16(w0, w1, w2, w3, dw, xb += xs, sb += ss, ones, acc3);
            acc4 = BlockStep16(w0, w1, w2, w3, dw, xb += xs, sb += ss, ones, acc4);
            acc5 = BlockStep16(w0, w1, w2, w3, dw, xb += xs, sb += ss, ones, acc5);
            acc6 = BlockStep16(w0, w1, w2, w3, dw, xb += xs, sb += ss, ones, acc6);
            acc7 = BlockStep16(w0, w1, w2, w3, dw, xb + xs, sb + ss, ones, acc7);
            rows.Advance();
            x += Q8_0Bytes;
        }

        StoreRows16(acc0, y);
        StoreRows16(acc1, y + yStride);
        StoreRows16(acc2, y + (2 * yStride));
        StoreRows16(acc3, y + (3 * yStride));
        StoreRows16(acc4, y + (4 * yStride));
        StoreRows16(acc5, y + (5 * yStride));
        StoreRows16(acc6, y + (6 * yStride));
        StoreRows16(acc7, y + (7 * yStride));
    }

    // One activation block (its nibble offset 8·Σx at xOffset) against sixteen unpacked weight blocks.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> BlockStep16(
        Unpacked w0, Unpacked w1, Unpacked w2, Unpacked w3, Vector512<float> dw, byte* xb, int* xOffset, Vector512<short> ones,
        Vector512<float> acc)
    {
        var xlo = Avx512F.BroadcastVector128ToVector512((int*)(xb + 2)).AsSByte();
        var xhi = Avx512F.BroadcastVector128ToVector512((int*)(xb + 18)).AsSByte();
        var totals = Totals16(w0.Sums(xlo, xhi, ones), w1.Sums(xlo, xhi, ones), w2.Sums(xlo, xhi, ones), w3.Sums(xlo, xhi, ones))
            - Vector512.Create(*xOffset);
        var scales = dw * Vector512.Create(Float16.ToSingle(*(ushort*)xb));
        return Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(totals), scales, acc);
    }

    /// <summary>The exact totals of sixteen rows from their partial sums (rows 4g..4g+3 in group g), lane 4k + g holding row 4g + k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Totals16(Vector512<int> sa, Vector512<int> sb, Vector512<int> sc, Vector512<int> sd)
    {
        // Per 128-bit lane k: [a0+a2, b0+b2, a1+a3, b1+b3] and the same for c, d; then the 64-bit halves interleaved and added.
        var ab = Avx512F.UnpackLow(sa, sb) + Avx512F.UnpackHigh(sa, sb);
        var cd = Avx512F.UnpackLow(sc, sd) + Avx512F.UnpackHigh(sc, sd);
        return Avx512F.UnpackLow(ab.AsInt64(), cd.AsInt64()).AsInt32() + Avx512F.UnpackHigh(ab.AsInt64(), cd.AsInt64()).AsInt32();
    }

    /// <summary>Stores an accumulator in reduction order (lane 4k + g holds row 4g + k) as rows 0..15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows16(Vector512<float> acc, float* y) =>
        Avx512F.PermuteVar16x32(acc, Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)).Store(y);

    /// <summary>One weight block of four rows, unpacked: low nibbles (elements 0-15) and high nibbles (16-31), one row per 128-bit lane.</summary>
    private readonly struct Unpacked
    {
        private readonly Vector512<byte> _low;
        private readonly Vector512<byte> _high;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Unpacked(Vector512<byte> packed, Vector512<byte> mask)
        {
            _low = packed & mask;
            _high = Avx512BW.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask;
        }

        /// <summary>The four rows' block sums Σ q·x (nibbles q in 0..15, no −8) as four 32-bit partial sums per row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<int> Sums(Vector512<sbyte> xlo, Vector512<sbyte> xhi, Vector512<short> ones) =>
            Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(_low, xlo) + Avx512BW.MultiplyAddAdjacent(_high, xhi), ones);
    }

    /// <summary>
    /// Sixteen F16 values (the low 16 bits of each lane, the high bits zero) widened to float exactly by integer arithmetic:
    /// normal values by moving the bits into float position and rebasing the exponent, subnormals as mantissa · 2^-24,
    /// infinities and NaNs rebuilt (a NaN keeps its payload and is not made quiet), then the sign. No float operation sees a
    /// subnormal input, which would cost a microcode assist on x64 (see <c>docs/benchmarks.md</c>: a 2^112 multiplication
    /// instead ran 3.4× slower on weights with many subnormal scales).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> WidenHalves(Vector512<int> h)
    {
        var exponent = h & Vector512.Create(0x7C00);
        var mantissa = h & Vector512.Create(0x03FF);
        var normal = Vector512.ShiftLeft(h & Vector512.Create(0x7FFF), 13) + Vector512.Create(112 << 23);
        var subnormal = (Avx512F.ConvertToVector512Single(mantissa) * Vector512.Create(1.0f / (1 << 24))).AsInt32();
        var infinityOrNaN = Vector512.ShiftLeft(mantissa, 13) | Vector512.Create(0x7F800000);
        var bits = Vector512.ConditionalSelect(
            Vector512.Equals(exponent, Vector512<int>.Zero),
            subnormal,
            Vector512.ConditionalSelect(Vector512.Equals(exponent, Vector512.Create(0x7C00)), infinityOrNaN, normal));
        return (bits | Vector512.ShiftLeft(h & Vector512.Create(0x8000), 16)).AsSingle();
    }

    /// <summary>
    /// Sixteen consecutive weight rows as four groups of four, walked block by block: loads a group's packed bytes and
    /// widens the sixteen F16 scales of the current block.
    /// </summary>
    private struct RowGroups
    {

        private readonly nint _s1;
        private readonly nint _s2;
        private readonly nint _s3;
        private byte* _g0;
        private byte* _g1;
        private byte* _g2;
        private byte* _g3;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public RowGroups(byte* w, long rowStride)
        {
            _s1 = (nint)rowStride;
            _s2 = (nint)(2 * rowStride);
            _s3 = (nint)(3 * rowStride);
            _g0 = w;
            _g1 = w + (4 * rowStride);
            _g2 = w + (8 * rowStride);
            _g3 = w + (12 * rowStride);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Advance()
        {
            _g0 += Q4_0Bytes;
            _g1 += Q4_0Bytes;
            _g2 += Q4_0Bytes;
            _g3 += Q4_0Bytes;
        }

        /// <summary>Group <paramref name="g"/>'s four rows of 16 packed bytes, one row per 128-bit lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly Vector512<byte> Load(int g)
        {
            var p = (g switch { 0 => _g0, 1 => _g1, 2 => _g2, _ => _g3 }) + 2;
            var lower = Vector256.Create(Vector128.Load(p), Vector128.Load(p + _s1));
            var upper = Vector256.Create(Vector128.Load(p + _s2), Vector128.Load(p + _s3));
            return Avx512F.InsertVector256(lower.ToVector512Unsafe(), upper, 1);
        }

        /// <summary>The F16 scales at four block starts as one word, the first in the low 16 bits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Pack4(byte* a, byte* b, byte* c, byte* d) =>
            *(ushort*)a | ((ulong)*(ushort*)b << 16) | ((ulong)*(ushort*)c << 32) | ((ulong)*(ushort*)d << 48);

        /// <summary>
        /// The sixteen rows' F16 scales in accumulator order (lane 4k + g: row 4g + k), widened exactly by
        /// <typeparamref name="TScales"/>. Scalar loads rather than a gather (slow on many x64 parts since the microcode
        /// mitigations) or a table look-up (which would pull a 256 KiB table through the cache beside the weights).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly Vector512<float> Scales<TScales>()
            where TScales : struct, IHalfScales
        {
            // Four scales per 64-bit word, put together in general-purpose registers (ports the vector code leaves idle)
            // rather than by sixteen word inserts on the shuffle port.
            return TScales.Widen(Vector256.Create(
                Pack4(_g0, _g1, _g2, _g3),
                Pack4(_g0 + _s1, _g1 + _s1, _g2 + _s1, _g3 + _s1),
                Pack4(_g0 + _s2, _g1 + _s2, _g2 + _s2, _g3 + _s2),
                Pack4(_g0 + _s3, _g1 + _s3, _g2 + _s3, _g3 + _s3)).AsUInt16());
        }
    }
}
