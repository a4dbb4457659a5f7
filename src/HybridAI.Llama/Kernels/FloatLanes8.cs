using System.Runtime.CompilerServices;

namespace HybridAI.Llama;

/// <summary>Eight float lanes on the stack: the scalar twin of one AVX2 accumulator register.</summary>
[InlineArray(8)]
internal struct FloatLanes8
{
    private float _element0;

    /// <summary>ggml's <c>hsum_float_8</c> order: (l0+l4 + l2+l6) + (l1+l5 + l3+l7), grouped as the shuffles do.</summary>
    public readonly float HorizontalSum()
    {
        float r0 = this[4] + this[0], r1 = this[5] + this[1], r2 = this[6] + this[2], r3 = this[7] + this[3];
        return (r0 + r2) + (r1 + r3);
    }
}
