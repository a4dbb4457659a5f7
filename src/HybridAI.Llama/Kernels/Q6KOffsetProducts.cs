using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HybridAI.Llama;

/// <summary>
/// Scratch for <see cref="VecDot.Q6KRows4x4Avx512"/>: the offset products 32·(y_2k + y_2k+1) of four Q8_K activation
/// blocks (four registers of 64 quants each), computed once per super-block and shared by the four weight rows. A local
/// of this type instead of <c>stackalloc</c> keeps the kernel eligible for tiered compilation (on-stack replacement).
/// </summary>
[InlineArray(16)]
internal struct Q6KOffsetProducts
{
    private Vector512<short> _element;
}
