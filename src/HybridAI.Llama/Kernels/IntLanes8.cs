using System.Runtime.CompilerServices;

namespace HybridAI.Llama;

/// <summary>Eight int lanes on the stack: the scalar twin of one AVX2 integer accumulator register.</summary>
[InlineArray(8)]
internal struct IntLanes8
{
    private int _element0;
}
