using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Four weight rows × four activation rows at once, for batches (prompt processing): each weight block is loaded and
/// unpacked once for four activation rows and each activation block once for four weight rows. Every output keeps its
/// own accumulator and the one-row kernel's per-block arithmetic in the same order, so the results are bit-identical to
/// <see cref="Select"/>'s kernels (and to llama.cpp's vec_dot, which its tinyBLAS_Q0_AVX and the K-quant paths follow).
/// A kernel writes output (activation row j, weight row i) to <c>y[j·yStride + i]</c>.
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>
    /// Chooses the 4×4 kernel (Q8_0, Q5_0, Q4_K and Q6_K: the AVX-512 one where present, ~30% faster in prompt processing
    /// than the AVX2 one for Q8_0; Q5_K: the AVX2 one) for weights of <paramref name="weightType"/> in vec_dot order, or null when there is none
    /// (then batches run the four-row kernel once per activation row). Repacked Q4_0 has its own
    /// (<see cref="Q4_0InterleavedRows4x4Simd"/>).
    /// </summary>
    public static delegate*<byte*, long, byte*, long, int, float*, long, void> SelectRows4x4(GgmlType weightType, bool scalar = false)
    {
        if (scalar || !IsSimdSupported)
        {
            return null;
        }

        return weightType switch
        {
            GgmlType.Q8_0 => IsAvx512Supported ? &Q8_0Rows4x4Avx512 : &Q8_0Rows4x4Simd,
            GgmlType.Q5_0 => IsAvx512Supported ? &Q5_0Rows4x4Avx512 : &Q5_0Rows4x4Simd,
            GgmlType.Q4_K => IsAvx512Supported ? &Q4KRows4x4Avx512 : &Q4KRows4x4Simd,
            GgmlType.Q5_K => &Q5KRows4x4Simd,
            GgmlType.Q6_K => IsAvx512Supported ? &Q6KRows4x4Avx512 : &Q6KRows4x4Simd,
            _ => null,
        };
    }

    /// <summary>
    /// Chooses the 4×8 kernel (four weight rows × eight activation rows) for weights of <paramref name="weightType"/>, or null
    /// when there is none (then batches run the 4×4 kernels): Q8_0, Q5_0, Q4_K and Q6_K with AVX-512, where preparing each weight
    /// block once for eight activation rows instead of four makes the batch product faster (Q8_0 ~7%).
    /// </summary>
    public static delegate*<byte*, long, byte*, long, int, float*, long, void> SelectRows4x8(GgmlType weightType, bool scalar = false)
    {
        if (scalar || !IsAvx512Supported)
        {
            return null;
        }

        return weightType switch
        {
            GgmlType.Q8_0 => &Q8_0Rows4x8Avx512,
            GgmlType.Q5_0 => &Q5_0Rows4x8Avx512,
            GgmlType.Q4_K => &Q4KRows4x8Avx512,
            GgmlType.Q6_K => &Q6KRows4x8Avx512,
            _ => null,
        };
    }

    /// <summary>Four Q8_0 weight rows × four Q8_0 activation rows (AVX2): per output bit-identical to <see cref="Q8_0Simd"/>.</summary>
    internal static void Q8_0Rows4x4Simd(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride) =>
        SignedRows4x4Simd<Q8_0Blocks>(w, rowStride, x, xStride, n, y, yStride);

    /// <summary>
    /// Four weight rows of <typeparamref name="TBlocks"/> (32 signed values and an F16 scale at the block's start) × four
    /// Q8_0 activation rows with the Q8_0 arithmetic (AVX2): see <see cref="Q8_0Rows4x4Simd"/>.
    /// </summary>
    private static void SignedRows4x4Simd<TBlocks>(byte* w, long rowStride, byte* x, long xStride, int n, float* y, long yStride)
        where TBlocks : struct, ISignedBlocks
    {
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector256<float> a30 = default, a31 = default, a32 = default, a33 = default;
        byte* w0 = w, w1 = w + rowStride, w2 = w + (2 * rowStride), w3 = w + (3 * rowStride);
        byte* x0 = x, x1 = x + xStride, x2 = x + (2 * xStride), x3 = x + (3 * xStride);
        // d_w·d_x of the current block for the 16 outputs (activation row j, weight row i at 4j + i), broadcast from memory.
        // A local rather than stackalloc, which would keep the method out of tiered compilation.
        Vector512<float> scales = default;
        var d = (float*)&scales;
        for (var b = 0; b < n / 32; b++)
        {
            var dw = Vector128.Create(Float16.ToSingle(*(ushort*)w0), Float16.ToSingle(*(ushort*)w1), Float16.ToSingle(*(ushort*)w2), Float16.ToSingle(*(ushort*)w3));
            (dw * Vector128.Create(Float16.ToSingle(*(ushort*)x0))).Store(d);
            (dw * Vector128.Create(Float16.ToSingle(*(ushort*)x1))).Store(d + 4);
            (dw * Vector128.Create(Float16.ToSingle(*(ushort*)x2))).Store(d + 8);
            (dw * Vector128.Create(Float16.ToSingle(*(ushort*)x3))).Store(d + 12);
            var q0 = TBlocks.Values(w0);
            var q1 = TBlocks.Values(w1);
            var q2 = TBlocks.Values(w2);
            var q3 = TBlocks.Values(w3);
            var abs0 = Avx2.Sign(q0, q0).AsByte();
            var abs1 = Avx2.Sign(q1, q1).AsByte();
            var abs2 = Avx2.Sign(q2, q2).AsByte();
            var abs3 = Avx2.Sign(q3, q3).AsByte();
            Q8_0Step4(q0, q1, q2, q3, abs0, abs1, abs2, abs3, (sbyte*)(x0 + 2), d, ref a00, ref a10, ref a20, ref a30);
            Q8_0Step4(q0, q1, q2, q3, abs0, abs1, abs2, abs3, (sbyte*)(x1 + 2), d + 4, ref a01, ref a11, ref a21, ref a31);
            Q8_0Step4(q0, q1, q2, q3, abs0, abs1, abs2, abs3, (sbyte*)(x2 + 2), d + 8, ref a02, ref a12, ref a22, ref a32);
            Q8_0Step4(q0, q1, q2, q3, abs0, abs1, abs2, abs3, (sbyte*)(x3 + 2), d + 12, ref a03, ref a13, ref a23, ref a33);
            x0 += Q8_0Bytes;
            x1 += Q8_0Bytes;
            x2 += Q8_0Bytes;
            x3 += Q8_0Bytes;
            w0 += TBlocks.BlockBytes;
            w1 += TBlocks.BlockBytes;
            w2 += TBlocks.BlockBytes;
            w3 += TBlocks.BlockBytes;
        }

        Store4(y, a00, a10, a20, a30);
        Store4(y + yStride, a01, a11, a21, a31);
        Store4(y + (2 * yStride), a02, a12, a22, a32);
        Store4(y + (3 * yStride), a03, a13, a23, a33);
    }

    // One activation block against four weight blocks: acc_i += (d_w,i · d_x) × lanes of Σ w·x (mul_sum_i8_pairs_float).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Q8_0Step4(
        Vector256<sbyte> q0, Vector256<sbyte> q1, Vector256<sbyte> q2, Vector256<sbyte> q3,
        Vector256<byte> abs0, Vector256<byte> abs1, Vector256<byte> abs2, Vector256<byte> abs3, sbyte* qx, float* d,
        ref Vector256<float> acc0, ref Vector256<float> acc1, ref Vector256<float> acc2, ref Vector256<float> acc3)
    {
        var v = Vector256.Load(qx);
        acc0 = Fma.MultiplyAdd(Vector256.Create(d[0]), Avx.ConvertToVector256Single(SumsOfFour(abs0, Avx2.Sign(v, q0))), acc0);
        acc1 = Fma.MultiplyAdd(Vector256.Create(d[1]), Avx.ConvertToVector256Single(SumsOfFour(abs1, Avx2.Sign(v, q1))), acc1);
        acc2 = Fma.MultiplyAdd(Vector256.Create(d[2]), Avx.ConvertToVector256Single(SumsOfFour(abs2, Avx2.Sign(v, q2))), acc2);
        acc3 = Fma.MultiplyAdd(Vector256.Create(d[3]), Avx.ConvertToVector256Single(SumsOfFour(abs3, Avx2.Sign(v, q3))), acc3);
    }

    private static void Store4(float* y, Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3)
    {
        y[0] = HorizontalSum(a0);
        y[1] = HorizontalSum(a1);
        y[2] = HorizontalSum(a2);
        y[3] = HorizontalSum(a3);
    }
}
