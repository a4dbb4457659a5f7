using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HybridAI.Llama;

/// <summary>
/// Scratch for the K-quant 4×8 batch kernels (<see cref="VecDot.Q4KRows4x8Avx512"/>, <see cref="VecDot.Q6KRows4x8Avx512"/>):
/// their accumulators (4 weight rows × 8 activation rows need more registers than the 32 there are, next to the unpacked
/// weights; each is touched once per super-block, so memory costs little) and the activation-only values of the current
/// super-block shared by the four weight rows. A local of this type instead of <c>stackalloc</c> keeps the kernels eligible
/// for tiered compilation (on-stack replacement).
/// </summary>
[InlineArray(52)]
internal struct Rows4x8Scratch
{
    private Vector512<float> _element;
}
