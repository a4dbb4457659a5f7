using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HybridAI.Llama;

/// <summary>
/// Dot products of one weight row with one converted activation row, numerically as llama.cpp's CPU backend built for the
/// reference machine (AVX-512 with AVX512_BF16, NUMERICS.md): every kernel keeps ggml's lane structure (the quantized kernels'
/// AVX2 code, which that build also runs: 8 float lanes, per-lane integer block sums; the float kernels' 16-lane AVX-512 code),
/// the same FMAs and the same horizontal-sum order, so the scalar twin, the SIMD kernel and llama.cpp agree bit for bit where
/// ggml's arithmetic is deterministic.
/// </summary>
/// <remarks>
/// Stateless and thread-safe; allocation-free. A kernel takes the weight row, the activation row (laid out as
/// <see cref="ActivationBuffer"/> stores it) and the element count, a whole number of blocks.
/// </remarks>
internal static unsafe partial class VecDot
{
    /// <summary>
    /// Gets whether the AVX2 kernels run on this machine (AVX2 and FMA); otherwise the 128-bit kernels run where Vector128
    /// is accelerated (Arm64 AdvSimd), else the scalar twins.
    /// </summary>
    public static bool IsSimdSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// Gets whether the 512-bit kernels run on this machine (AVX-512 F, BW, DQ and VL, besides AVX2 and FMA): integer work
    /// in 512-bit registers, float arithmetic per output unchanged.
    /// </summary>
    public static bool IsAvx512Supported =>
        IsSimdSupported && Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;

    /// <summary>
    /// Gets the kernel path this process runs, for benchmark reports: "AVX-512" or "AVX2" (each with " + AVX-VNNI" where the
    /// 256-bit kernels use it), "AdvSimd + Dp", "AdvSimd", "Vector128" (another accelerated 128-bit target) or "scalar".
    /// </summary>
    public static string KernelPath =>
        IsAvx512Supported ? (IsAvxVnniSupported ? "AVX-512 + AVX-VNNI" : "AVX-512")
        : IsSimdSupported ? (IsAvxVnniSupported ? "AVX2 + AVX-VNNI" : "AVX2")
        : !Vector128.IsHardwareAccelerated ? "scalar"
        : System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? (System.Runtime.Intrinsics.Arm.Dp.IsSupported ? "AdvSimd + Dp" : "AdvSimd")
        : "Vector128";

    /// <summary>
    /// Chooses the kernel for weights of <paramref name="weightType"/> as ggml's <c>vec_dot</c> (one activation row).
    /// </summary>
    /// <param name="weightType">The weight type.</param>
    /// <param name="scalar">True to get the scalar twin even when SIMD is available.</param>
    public static delegate*<byte*, byte*, int, float> Select(GgmlType weightType, bool scalar = false)
    {
        if (!scalar && !IsSimdSupported && Vector128.IsHardwareAccelerated)
        {
            return SelectPortable(weightType);
        }

        var simd = !scalar && IsSimdSupported;
        return weightType switch
        {
            GgmlType.F32 => simd ? &F32Simd : &F32Scalar,
            GgmlType.F16 => simd ? &F16Simd : &F16Scalar,
            GgmlType.BF16 => simd ? &BF16Simd : &BF16Scalar,
            GgmlType.Q8_0 => simd ? &Q8_0Simd : &Q8_0Scalar,
            GgmlType.Q4_0 => simd ? &Q4_0Simd : &Q4_0Scalar,
            GgmlType.Q5_0 => simd ? &Q5_0Simd : &Q5_0Scalar,
            GgmlType.Q4_K => simd ? &Q4KSimd : &Q4KScalar,
            GgmlType.Q5_K => simd ? &Q5KSimd : &Q5KScalar,
            GgmlType.Q6_K => simd ? &Q6KSimd : &Q6KScalar,
            _ => throw new NotSupportedException($"Weights of type {weightType} are not supported."),
        };
    }

    /// <summary>
    /// Chooses the kernel for a batch of two or more activation rows. llama.cpp (at the reference commit, built for AVX-512)
    /// then hands F32, F16 and BF16 weights to llamafile's tinyBLAS when the row length is a multiple of its step (16 floats;
    /// 32 bf16 with AVX512_BF16) and the number of weight rows a multiple of 4; tinyBLAS accumulates in one register instead
    /// of vec_dot's four. The quantized types give the same numbers either way (tinyBLAS_Q0_AVX, which takes Q4_0, Q5_0 and
    /// Q8_0, has vec_dot's lanes and order).
    /// </summary>
    public static delegate*<byte*, byte*, int, float> SelectBatch(GgmlType weightType, int rows, int cols, bool scalar = false)
    {
        if (UsesTinyBlasOrder(weightType, rows, cols))
        {
            var simd = !scalar && IsSimdSupported;
            switch (weightType)
            {
                case GgmlType.F32:
                    return simd ? &F32GemmSimd : &F32GemmScalar;
                case GgmlType.F16:
                    return simd ? &F16GemmSimd : &F16GemmScalar;
                case GgmlType.BF16:
                    return simd ? &BF16GemmSimd : &BF16GemmScalar;
            }
        }

        return Select(weightType, scalar);
    }

    /// <summary>Gets whether a batch product with these weights accumulates in tinyBLAS order (see <see cref="SelectBatch"/>).</summary>
    public static bool UsesTinyBlasOrder(GgmlType weightType, int rows, int cols) =>
        rows % 4 == 0 && weightType switch
        {
            GgmlType.F32 or GgmlType.F16 => cols % 16 == 0,
            GgmlType.BF16 => cols % 32 == 0,
            _ => false,
        };
}
