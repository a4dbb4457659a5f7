using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HybridAI.Llama;

/// <summary>
/// Scratch for the AVX2 K-quant 4×4 batch kernels (<see cref="VecDot.Q4KRows4x4Simd"/>, <see cref="VecDot.Q6KRows4x4Simd"/>):
/// their sixteen accumulators (with the unpacked weights and four row sums live, AVX2's sixteen registers cannot hold them;
/// each is touched once per super-block) and the current super-block's activation-only values. A local of this type
/// instead of <c>stackalloc</c> keeps the kernels eligible for tiered compilation (on-stack replacement).
/// </summary>
[InlineArray(48)]
internal struct KQuantRows4x4Scratch
{
    private Vector256<float> _element;
}
