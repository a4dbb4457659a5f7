using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <content>
/// Q8_0 and Q4_0 weights against Q8_0 activations (ggml_vec_dot_q8_0_q8_0 / q4_0_q8_0, AVX2): per block of 32, lane l
/// (0..7) holds the exact integer sum of elements 4l..4l+3, converted to float and accumulated with one FMA by
/// d_w·d_x; hsum_float_8 at the end.
/// </content>
internal static unsafe partial class VecDot
{
    private const int Q8_0Bytes = 34;
    private const int Q4_0Bytes = 18;

    internal static float Q8_0Scalar(byte* w, byte* x, int n)
    {
        FloatLanes8 acc = default;
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q8_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var d = Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb);
            sbyte* qw = (sbyte*)(wb + 2), qx = (sbyte*)(xb + 2);
            for (var l = 0; l < 8; l++)
            {
                var s = (qw[4 * l] * qx[4 * l]) + (qw[(4 * l) + 1] * qx[(4 * l) + 1])
                    + (qw[(4 * l) + 2] * qx[(4 * l) + 2]) + (qw[(4 * l) + 3] * qx[(4 * l) + 3]);
                acc[l] = MathF.FusedMultiplyAdd(d, s, acc[l]);
            }
        }

        return acc.HorizontalSum();
    }

    internal static float Q8_0Simd(byte* w, byte* x, int n)
    {
        var acc = Vector256<float>.Zero;
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q8_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var d = Vector256.Create(Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb));
            var qw = Vector256.Load((sbyte*)(wb + 2));
            var qx = Vector256.Load((sbyte*)(xb + 2));
            acc = Fma.MultiplyAdd(d, SumProducts(qw, qx), acc);
        }

        return HorizontalSum(acc);
    }

    internal static float Q4_0Scalar(byte* w, byte* x, int n)
    {
        FloatLanes8 acc = default;
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q4_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var d = Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb);
            var qs = wb + 2;
            var qx = (sbyte*)(xb + 2);
            for (var l = 0; l < 8; l++)
            {
                var s = 0;
                for (var k = 0; k < 4; k++)
                {
                    var e = (4 * l) + k;
                    var q = e < 16 ? qs[e] & 0xF : qs[e - 16] >> 4;
                    s += (q - 8) * qx[e];
                }

                acc[l] = MathF.FusedMultiplyAdd(d, s, acc[l]);
            }
        }

        return acc.HorizontalSum();
    }

    internal static float Q4_0Simd(byte* w, byte* x, int n)
    {
        var acc = Vector256<float>.Zero;
        var low = Vector128.Create((byte)0x0F);
        var eight = Vector256.Create((sbyte)8);
        for (var b = 0; b < n / 32; b++)
        {
            var wb = w + (b * Q4_0Bytes);
            var xb = x + (b * Q8_0Bytes);
            var d = Vector256.Create(Float16.ToSingle(*(ushort*)wb) * Float16.ToSingle(*(ushort*)xb));
            var packed = Vector128.Load(wb + 2);
            var nibbles = Vector256.Create(packed & low, (packed.AsUInt16() >> 4).AsByte() & low);
            var qw = nibbles.AsSByte() - eight;
            var qx = Vector256.Load((sbyte*)(xb + 2));
            acc = Fma.MultiplyAdd(d, SumProducts(qw, qx), acc);
        }

        return HorizontalSum(acc);
    }

    /// <summary>mul_sum_i8_pairs_float: int32 lane l = Σ a[4l..4l+3]·b[4l..4l+3] (exact: |a| ≤ 128, |b| ≤ 127), as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SumProducts(Vector256<sbyte> a, Vector256<sbyte> b) =>
        Avx.ConvertToVector256Single(SumsOfFour(Avx2.Sign(a, a).AsByte(), Avx2.Sign(b, a)));
}
