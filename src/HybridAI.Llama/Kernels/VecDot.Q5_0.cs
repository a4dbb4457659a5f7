using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q5_0 weights against Q8_0 activations (ggml_vec_dot_q5_0_q8_0, AVX2; llamafile's tinyBLAS_Q0_AVX for batches, with the
/// same lanes and order). A block of 32 holds an F16 scale d, 4 bytes qh (bit e: fifth bit of element e) and 16 bytes qs
/// (element j in the low nibble of byte j, element j + 16 in its high nibble); the value is ((nibble | bit·16) − 16)·d.
/// As for Q8_0: per block, int32 lane l (0..7) holds the exact sum of the products of elements 4l..4l+3, converted to
/// float and accumulated with one FMA by d_w·d_x; hsum_float_8 at the end. How the exact integer sums are formed is free:
/// the one-row and 4×4 kernels use ggml's signed values q − 16 with the sign trick, the four-row kernel Σ u·x − 16·Σ x with
/// u = q in 0..31.
/// </content>
internal static unsafe partial class VecDot
{
    private const int Q5_0Bytes = 22;

    internal static float Q5_0Scalar(byte* w, byte* x, int n)
    {
        FloatLanes8 acc = default;
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q5_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var d = Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb);
            var qh = Unsafe.ReadUnaligned<uint>(wb + 2);
            var qs = wb + 6;
            var qx = (sbyte*)(xb + 2);
            for (var l = 0; l < 8; l++)
            {
                var s = 0;
                for (var k = 0; k < 4; k++)
                {
                    var e = (4 * l) + k;
                    var nibble = e < 16 ? qs[e] & 0xF : qs[e - 16] >> 4;
                    var q = (nibble | (int)(((qh >> e) & 1) << 4)) - 16;
                    s += q * qx[e];
                }

                acc[l] = MathF.FusedMultiplyAdd(d, s, acc[l]);
            }
        }

        return acc.HorizontalSum();
    }

    internal static float Q5_0Simd(byte* w, byte* x, int n)
    {
        var acc = Vector256<float>.Zero;
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q5_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var d = Vector256.Create(Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb));
            var qx = Vector256.Load((sbyte*)(xb + 2));
            acc = Fma.MultiplyAdd(d, SumProducts(Q5_0Signed(wb), qx), acc);
        }

        return HorizontalSum(acc);
    }

    /// <summary>Four Q5_0 weight rows × one activation row (AVX2): per row bit-identical to <see cref="Q5_0Simd"/>.</summary>
    internal static void Q5_0Rows4Simd(byte* w, long rowStride, byte* x, int n, float* y) =>
        OffsetRows4Simd<Q5_0Blocks>(w, rowStride, x, n, y);

    /// <summary>Four Q5_0 weight rows × four Q8_0 activation rows (AVX2): per output bit-identical to <see cref="Q5_0Simd"/>.</summary>
    internal static void Q5_0Rows4x4Simd(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride) =>
        SignedRows4x4Simd<Q5_0Blocks>(w, rowStride, x, xStride, n, y, yStride);

    /// <summary>
    /// Four Q5_0 weight rows × four Q8_0 activation rows with AVX-512BW, as <see cref="Q8_0Rows4x4Avx512"/> once the blocks
    /// are unpacked: two rows' signed values share a 512-bit register, one per 256-bit half. Per output bit-identical to
    /// <see cref="Q5_0Simd"/>.
    /// </summary>
    internal static void Q5_0Rows4x4Avx512(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        Vector512<float> acc00 = default, acc01 = default, acc10 = default, acc11 = default;
        Vector512<float> acc20 = default, acc21 = default, acc30 = default, acc31 = default;
        var ones = Vector512.Create((short)1);
        var s1 = (nint)rowStride;
        var s2 = (nint)(2 * rowStride);
        var s3 = (nint)(3 * rowStride);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        for (var b = 0; b < n / 32; b++)
        {
            var w01 = Avx512F.InsertVector256(Q5_0Signed(w).ToVector512Unsafe(), Q5_0Signed(w + s1), 1);
            var w23 = Avx512F.InsertVector256(Q5_0Signed(w + s2).ToVector512Unsafe(), Q5_0Signed(w + s3), 1);
            var abs01 = Avx512BW.Abs(w01);
            var abs23 = Avx512BW.Abs(w23);
            var neg01 = Vector512.LessThan(w01, Vector512<sbyte>.Zero);
            var neg23 = Vector512.LessThan(w23, Vector512<sbyte>.Zero);
            var d01 = Vector512.Create(Vector256.Create(Float16.ToSingle(*(ushort*)w)), Vector256.Create(Float16.ToSingle(*(ushort*)(w + s1))));
            var d23 = Vector512.Create(Vector256.Create(Float16.ToSingle(*(ushort*)(w + s2))), Vector256.Create(Float16.ToSingle(*(ushort*)(w + s3))));
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, x0, ones, ref acc00, ref acc01);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, x1, ones, ref acc10, ref acc11);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, x2, ones, ref acc20, ref acc21);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, x3, ones, ref acc30, ref acc31);
            w += Q5_0Bytes;
            x0 += Q8_0Bytes;
            x1 += Q8_0Bytes;
            x2 += Q8_0Bytes;
            x3 += Q8_0Bytes;
        }

        StorePairs(acc00, acc01, y);
        StorePairs(acc10, acc11, y + yStride);
        StorePairs(acc20, acc21, y + (2 * yStride));
        StorePairs(acc30, acc31, y + (3 * yStride));
    }

    /// <summary>
    /// Four Q5_0 weight rows × eight Q8_0 activation rows with AVX-512BW: as <see cref="Q5_0Rows4x4Avx512"/>, each weight
    /// block unpacked, its absolute values, sign masks and scales prepared once for eight activation rows.
    /// </summary>
    /// <remarks>
    /// The same loop as <see cref="Q8_0Rows4x8Avx512"/> but for the unpacking. Written generically over
    /// <see cref="ISignedBlocks"/> (as the AVX2 4×4 kernel is), the AVX-512 kernels ran at 12–17 against 42–45 G MAC/s in
    /// the batch probe: with tiered PGO their generic instantiations stayed in instrumented tier-0 code (with
    /// <c>DOTNET_TieredPGO=0</c> both ran at ~45). Marking the generic kernels
    /// <see cref="MethodImplOptions.AggressiveOptimization"/> did not help (17–18 G MAC/s: that code kept the sixteen
    /// accumulators on the stack and re-checked <see cref="Float16"/>'s table each block), so these loops stay written out.
    /// </remarks>
    internal static void Q5_0Rows4x8Avx512(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
    {
        Vector512<float> acc00 = default, acc01 = default, acc10 = default, acc11 = default;
        Vector512<float> acc20 = default, acc21 = default, acc30 = default, acc31 = default;
        Vector512<float> acc40 = default, acc41 = default, acc50 = default, acc51 = default;
        Vector512<float> acc60 = default, acc61 = default, acc70 = default, acc71 = default;
        var ones = Vector512.Create((short)1);
        var s1 = (nint)rowStride;
        var s2 = (nint)(2 * rowStride);
        var s3 = (nint)(3 * rowStride);
        var xs = (nint)xStride;
        for (var b = 0; b < n / 32; b++)
        {
            var w01 = Avx512F.InsertVector256(Q5_0Signed(w).ToVector512Unsafe(), Q5_0Signed(w + s1), 1);
            var w23 = Avx512F.InsertVector256(Q5_0Signed(w + s2).ToVector512Unsafe(), Q5_0Signed(w + s3), 1);
            var abs01 = Avx512BW.Abs(w01);
            var abs23 = Avx512BW.Abs(w23);
            var neg01 = Vector512.LessThan(w01, Vector512<sbyte>.Zero);
            var neg23 = Vector512.LessThan(w23, Vector512<sbyte>.Zero);
            var d01 = Vector512.Create(Vector256.Create(Float16.ToSingle(*(ushort*)w)), Vector256.Create(Float16.ToSingle(*(ushort*)(w + s1))));
            var d23 = Vector512.Create(Vector256.Create(Float16.ToSingle(*(ushort*)(w + s2))), Vector256.Create(Float16.ToSingle(*(ushort*)(w + s3))));
            var xb = x;
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb, ones, ref acc00, ref acc01);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc10, ref acc11);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc20, ref acc21);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc30, ref acc31);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc40, ref acc41);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc50, ref acc51);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb += xs, ones, ref acc60, ref acc61);
            Q8_0PairStep(abs01, neg01, d01, abs23, neg23, d23, xb + xs, ones, ref acc70, ref acc71);
            w += Q5_0Bytes;
            x += Q8_0Bytes;
        }

        StorePairs(acc00, acc01, y);
        StorePairs(acc10, acc11, y + yStride);
        StorePairs(acc20, acc21, y + (2 * yStride));
        StorePairs(acc30, acc31, y + (3 * yStride));
        StorePairs(acc40, acc41, y + (4 * yStride));
        StorePairs(acc50, acc51, y + (5 * yStride));
        StorePairs(acc60, acc61, y + (6 * yStride));
        StorePairs(acc70, acc71, y + (7 * yStride));
    }

    /// <summary>
    /// The 32 values of the Q5_0 block at <paramref name="block"/> as signed bytes q − 16 (ggml's bytes_from_nibbles_32 OR'd
    /// with 0xF0 where the fifth bit is clear).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Q5_0Signed(byte* block) =>
        (Q5_0Nibbles(block) | Vector256.AndNot(Vector256.Create((byte)0xF0), Q5_0FifthBits(block))).AsSByte();

    /// <summary>The low four bits of the block's 32 values, element e in byte e.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Q5_0Nibbles(byte* block) => Nibbles32(block + 6);

    /// <summary>0xFF in byte e where the fifth bit of element e is set (ggml's bytes_from_bits_32), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Q5_0FifthBits(byte* block)
    {
        // Byte e takes qh byte e/8 (the shuffle works per 128-bit lane; every lane holds qh in its first four bytes) and tests bit e%8.
        var spread = Avx2.Shuffle(
            Vector256.Create(Unsafe.ReadUnaligned<uint>(block + 2)).AsByte(),
            Vector256.Create(0x0000000000000000ul, 0x0101010101010101ul, 0x0202020202020202ul, 0x0303030303030303ul).AsByte());
        var bit = Vector256.Create(0x8040201008040201ul).AsByte();
        return Vector256.Equals(spread & bit, bit);
    }
}
