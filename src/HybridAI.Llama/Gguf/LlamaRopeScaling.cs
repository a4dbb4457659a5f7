namespace HybridAI.Llama;

/// <summary>Llama 3 style RoPE frequency scaling, stored in GGUF as the per-frequency factors of <c>rope_freqs.weight</c>.</summary>
/// <param name="Factor">The scale applied to the low frequencies (long wavelengths).</param>
/// <param name="LowFrequencyFactor">Wavelengths above <c>OriginalContextLength / LowFrequencyFactor</c> get the full factor.</param>
/// <param name="HighFrequencyFactor">Wavelengths below <c>OriginalContextLength / HighFrequencyFactor</c> are not scaled.</param>
/// <param name="OriginalContextLength">The context length the model was pre-trained with.</param>
internal sealed record LlamaRopeScaling(float Factor, float LowFrequencyFactor, float HighFrequencyFactor, int OriginalContextLength)
{
    /// <summary>
    /// Computes the factor of each of the <paramref name="headDimension"/>/2 rotary frequencies, as llama.cpp's converter
    /// does for Llama 3.1+ checkpoints: 1 for short wavelengths, <see cref="Factor"/> for long ones, a smooth blend between.
    /// </summary>
    public float[] FrequencyFactors(int headDimension, float frequencyBase)
    {
        var factors = new float[headDimension / 2];
        var lowWavelength = OriginalContextLength / LowFrequencyFactor;
        var highWavelength = OriginalContextLength / HighFrequencyFactor;
        for (var i = 0; i < factors.Length; i++)
        {
            var frequency = 1.0 / Math.Pow(frequencyBase, 2.0 * i / headDimension);
            var wavelength = 2 * Math.PI / frequency;
            if (wavelength < highWavelength)
            {
                factors[i] = 1f;
            }
            else if (wavelength > lowWavelength)
            {
                factors[i] = Factor;
            }
            else
            {
                var smooth = ((OriginalContextLength / wavelength) - LowFrequencyFactor) / (HighFrequencyFactor - LowFrequencyFactor);
                factors[i] = (float)(1 / (((1 - smooth) / Factor) + smooth));
            }
        }

        return factors;
    }
}
