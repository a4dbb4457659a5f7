namespace HybridAI.Llama.Tests;

/// <summary>
/// The inputs of the known-answer vectors taken from llama.cpp's own binaries (QuantizerTests, VecDotTests): a
/// linear congruential generator (state · 1664525 + 1013904223, from 12345) whose draws become floats as
/// <c>(float)(int)state / 2^31</c>.
/// </summary>
internal sealed class LlamaCppHarnessRandom
{
    private uint _state = 12345u;

    public uint Next() => _state = (_state * 1664525u) + 1013904223u;

    public float NextFloat() => (int)Next() / 2147483648.0f;

    /// <summary>64 rows of 256 floats: scales 10, 0.01 and 1, rows of half-integers in [-16, 16] (exact .5 ties), zero blocks.</summary>
    public float[] QuantizerInput()
    {
        const int Rows = 64, Cols = 256;
        var x = new float[Rows * Cols];
        for (var i = 0; i < x.Length; i++)
        {
            var row = i / Cols;
            var v = NextFloat() * (row % 5 == 0 ? 10f : row % 5 == 1 ? 0.01f : 1f);
            if (row % 7 == 3)
            {
                v = ((int)(Next() % 65) - 32) / 2f;
            }

            if (row == 5 && i % Cols < 64)
            {
                v = 0f;
            }

            x[i] = v;
        }

        return x;
    }

    /// <summary>
    /// Drawn after <see cref="QuantizerInput"/>: for n = 32, 64, ..., 1280, a row of raw random Q5_0 blocks (every byte
    /// random, then the F16 scale set to a random value in (-0.01, 0.01)) and n activations in (-3, 3), every 97th ×8.
    /// </summary>
    public IEnumerable<(int N, byte[] Weights, float[] Activations)> VecDotCases()
    {
        for (var n = 32; n <= 32 * 40; n += 32)
        {
            var w = new byte[(n / 32) * 22];
            for (var b = 0; b < n / 32; b++)
            {
                for (var k = 0; k < 22; k++)
                {
                    w[(22 * b) + k] = (byte)(Next() >> 24);
                }

                BitConverter.TryWriteBytes(w.AsSpan(22 * b, 2), (Half)(NextFloat() * 0.01f));
            }

            var a = new float[n];
            for (var i = 0; i < n; i++)
            {
                a[i] = NextFloat() * 3f * (i % 97 == 0 ? 8 : 1);
            }

            yield return (n, w, a);
        }
    }
}
