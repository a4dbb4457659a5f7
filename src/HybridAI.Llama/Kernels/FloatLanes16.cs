using System.Runtime.CompilerServices;

namespace HybridAI.Llama;

/// <summary>Sixteen float lanes on the stack: the scalar twin of one AVX-512 accumulator register.</summary>
[InlineArray(16)]
internal struct FloatLanes16
{
    private float _element0;

    /// <summary>
    /// GCC's <c>_mm512_reduce_add_ps</c> order: t = hi8 + lo8, s = t's upper 4 + lower 4, then (s0 + s2) + (s1 + s3).
    /// </summary>
    public readonly float ReduceAdd()
    {
        Span<float> t = stackalloc float[8];
        for (var l = 0; l < 8; l++)
        {
            t[l] = this[l + 8] + this[l];
        }

        float s0 = t[4] + t[0], s1 = t[5] + t[1], s2 = t[6] + t[2], s3 = t[7] + t[3];
        return (s0 + s2) + (s1 + s3);
    }
}
