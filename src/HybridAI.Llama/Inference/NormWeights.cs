namespace HybridAI.Llama;

/// <summary>An F32 vector of RMSNorm weights (or rope frequency factors) inside the memory-mapped file.</summary>
internal readonly unsafe struct NormWeights
{
    private readonly float* _data;

    public NormWeights(float* data, int length)
    {
        _data = data;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<float> Span => new(_data, Length);
}
