using System.Buffers.Binary;

namespace HybridAI.Llama;

/// <content>The K-quant reference quantizers (quantize_row_q4_K_ref, q5_K, q6_K) and their search helpers.</content>
internal static partial class Quantizer
{
    private const float GroupMaxEps = 1e-15f;

    // quantize_row_q4_K_ref: per 32-element sub-block an asymmetric 4-bit fit (make_qkx2_quants with weights av_x + |x|),
    // then 6-bit scales and mins relative to the block's largest, then the final 4-bit values against the stored scales.
    private static void QuantizeQ4K(ReadOnlySpan<float> x, Span<byte> y)
    {
        Span<byte> levels = stackalloc byte[256];
        Span<byte> aux = stackalloc byte[32];
        Span<float> weights = stackalloc float[32];
        Span<float> mins = stackalloc float[8];
        Span<float> scales = stackalloc float[8];
        FitSubBlocks(x, levels, aux, weights, mins, scales, nmax: 15, rmin: -1f, nstep: 20);

        var block = y[..144];
        block.Clear();
        PackScalesAndMins(scales, mins, block.Slice(4, 12), out var d, out var dmin);
        BinaryPrimitives.WriteUInt16LittleEndian(block, d);
        BinaryPrimitives.WriteUInt16LittleEndian(block[2..], dmin);
        FinalLevels(x, block.Slice(4, 12), Float16.ToSingle(d), Float16.ToSingle(dmin), levels, nmax: 15);

        var qs = block.Slice(16, 128);
        for (var j = 0; j < 4; j++)
        {
            for (var l = 0; l < 32; l++)
            {
                qs[(32 * j) + l] = (byte)(levels[(64 * j) + l] | (levels[(64 * j) + l + 32] << 4));
            }
        }
    }

    // quantize_row_q5_K_ref: as Q4_K with 5-bit levels (rmin -0.5, 15 steps); the fifth bits go to qh.
    private static void QuantizeQ5K(ReadOnlySpan<float> x, Span<byte> y)
    {
        Span<byte> levels = stackalloc byte[256];
        Span<byte> aux = stackalloc byte[32];
        Span<float> weights = stackalloc float[32];
        Span<float> mins = stackalloc float[8];
        Span<float> scales = stackalloc float[8];
        FitSubBlocks(x, levels, aux, weights, mins, scales, nmax: 31, rmin: -0.5f, nstep: 15);

        var block = y[..176];
        block.Clear();
        PackScalesAndMins(scales, mins, block.Slice(4, 12), out var d, out var dmin);
        BinaryPrimitives.WriteUInt16LittleEndian(block, d);
        BinaryPrimitives.WriteUInt16LittleEndian(block[2..], dmin);
        FinalLevels(x, block.Slice(4, 12), Float16.ToSingle(d), Float16.ToSingle(dmin), levels, nmax: 31);

        var qh = block.Slice(16, 32);
        var ql = block.Slice(48, 128);
        for (var n = 0; n < 4; n++)
        {
            int m1 = 1 << (2 * n), m2 = 2 << (2 * n);
            for (var j = 0; j < 32; j++)
            {
                int l1 = levels[(64 * n) + j], l2 = levels[(64 * n) + j + 32];
                if (l1 > 15)
                {
                    l1 -= 16;
                    qh[j] |= (byte)m1;
                }

                if (l2 > 15)
                {
                    l2 -= 16;
                    qh[j] |= (byte)m2;
                }

                ql[(32 * n) + j] = (byte)(l1 | (l2 << 4));
            }
        }
    }

    // quantize_row_q6_K_ref: per 16-element sub-block a symmetric 6-bit fit (make_qx_quants, rmse_type 1), 8-bit scales
    // relative to the largest (iscale = -128/max_scale), then final levels against the stored scales.
    private static void QuantizeQ6K(ReadOnlySpan<float> x, Span<byte> y)
    {
        Span<sbyte> levels = stackalloc sbyte[256];
        Span<float> scales = stackalloc float[16];
        var block = y[..210];
        block.Clear();

        float maxScale = 0, maxAbsScale = 0;
        for (var ib = 0; ib < 16; ib++)
        {
            var scale = MakeQxQuants(16, 32, x.Slice(16 * ib, 16), levels.Slice(16 * ib, 16));
            scales[ib] = scale;
            var abs = MathF.Abs(scale);
            if (abs > maxAbsScale)
            {
                maxAbsScale = abs;
                maxScale = scale;
            }
        }

        if (maxAbsScale < GroupMaxEps)
        {
            return; // all zero, d = 0
        }

        var iscale = -128f / maxScale;
        var dBits = Float16.FromSingle(1 / iscale);
        BinaryPrimitives.WriteUInt16LittleEndian(block[208..], dBits);
        var sc = block.Slice(192, 16);
        for (var ib = 0; ib < 16; ib++)
        {
            sc[ib] = (byte)(sbyte)Math.Min(127, NearestInt(iscale * scales[ib]));
        }

        var dStored = Float16.ToSingle(dBits);
        for (var j = 0; j < 16; j++)
        {
            var d = dStored * (sbyte)sc[j];
            if (d == 0)
            {
                continue;
            }

            for (var ii = 0; ii < 16; ii++)
            {
                var l = NearestInt(x[(16 * j) + ii] / d);
                l = Math.Max(-32, Math.Min(31, l));
                levels[(16 * j) + ii] = (sbyte)(l + 32);
            }
        }

        var ql = block[..128];
        var qh = block.Slice(128, 64);
        for (var n = 0; n < 2; n++)
        {
            for (var l = 0; l < 32; l++)
            {
                var b = 128 * n;
                int q1 = levels[b + l], q2 = levels[b + l + 32], q3 = levels[b + l + 64], q4 = levels[b + l + 96];
                ql[(64 * n) + l] = (byte)((q1 & 0xF) | ((q3 & 0xF) << 4));
                ql[(64 * n) + l + 32] = (byte)((q2 & 0xF) | ((q4 & 0xF) << 4));
                qh[(32 * n) + l] = (byte)((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
            }
        }
    }

    private static void FitSubBlocks(ReadOnlySpan<float> x, Span<byte> levels, Span<byte> aux, Span<float> weights,
        Span<float> mins, Span<float> scales, int nmax, float rmin, int nstep)
    {
        for (var j = 0; j < 8; j++)
        {
            var sub = x.Slice(32 * j, 32);
            var sumX2 = 0f;
            for (var l = 0; l < 32; l++)
            {
                sumX2 += sub[l] * sub[l];
            }

            var avX = MathF.Sqrt(sumX2 / 32);
            for (var l = 0; l < 32; l++)
            {
                weights[l] = avX + MathF.Abs(sub[l]);
            }

            scales[j] = MakeQkx2Quants(32, nmax, sub, weights, levels.Slice(32 * j, 32), out mins[j], aux, rmin, 0.1f, nstep);
        }
    }

    private static void PackScalesAndMins(ReadOnlySpan<float> scales, ReadOnlySpan<float> mins, Span<byte> packed,
        out ushort d, out ushort dmin)
    {
        float maxScale = 0, maxMin = 0;
        for (var j = 0; j < 8; j++)
        {
            if (scales[j] > maxScale)
            {
                maxScale = scales[j];
            }

            if (mins[j] > maxMin)
            {
                maxMin = mins[j];
            }
        }

        var invScale = maxScale > 0 ? 63f / maxScale : 0f;
        var invMin = maxMin > 0 ? 63f / maxMin : 0f;
        for (var j = 0; j < 8; j++)
        {
            var ls = Math.Min((byte)63, (byte)NearestInt(invScale * scales[j]));
            var lm = Math.Min((byte)63, (byte)NearestInt(invMin * mins[j]));
            if (j < 4)
            {
                packed[j] = ls;
                packed[j + 4] = lm;
            }
            else
            {
                packed[j + 4] = (byte)((ls & 0xF) | ((lm & 0xF) << 4));
                packed[j - 4] |= (byte)((ls >> 4) << 6);
                packed[j] |= (byte)((lm >> 4) << 6);
            }
        }

        d = Float16.FromSingle(maxScale / 63f);
        dmin = Float16.FromSingle(maxMin / 63f);
    }

    private static void FinalLevels(ReadOnlySpan<float> x, ReadOnlySpan<byte> packed, float d, float dmin, Span<byte> levels, int nmax)
    {
        for (var j = 0; j < 8; j++)
        {
            Dequantizer.ScaleMinK4(j, packed, out var sc, out var m);
            var ds = d * sc;
            if (ds == 0)
            {
                continue;
            }

            var dm = dmin * m;
            for (var ii = 0; ii < 32; ii++)
            {
                var l = NearestInt((x[(32 * j) + ii] + dm) / ds);
                levels[(32 * j) + ii] = (byte)Math.Max(0, Math.Min(nmax, l));
            }
        }
    }

    // make_qkx2_quants: weighted least-squares fit of x ≈ scale·L + min over nstep+1 candidate inverse scales.
    private static float MakeQkx2Quants(int n, int nmax, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<byte> levels,
        out float theMin, Span<byte> aux, float rmin, float rdelta, int nstep)
    {
        var min = x[0];
        var max = x[0];
        var sumW = weights[0];
        var sumX = sumW * x[0];
        for (var i = 1; i < n; i++)
        {
            if (x[i] < min)
            {
                min = x[i];
            }

            if (x[i] > max)
            {
                max = x[i];
            }

            var w = weights[i];
            sumW += w;
            sumX += w * x[i];
        }

        if (min > 0)
        {
            min = 0;
        }

        if (max == min)
        {
            levels[..n].Clear();
            theMin = -min;
            return 0f;
        }

        var iscale = nmax / (max - min);
        var scale = 1 / iscale;
        var bestError = 0f;
        for (var i = 0; i < n; i++)
        {
            var l = NearestInt(iscale * (x[i] - min));
            levels[i] = (byte)Math.Max(0, Math.Min(nmax, l));
            var diff = (scale * levels[i]) + min - x[i];
            diff *= diff;
            bestError += weights[i] * diff;
        }

        if (nstep < 1)
        {
            theMin = -min;
            return scale;
        }

        for (var step = 0; step <= nstep; step++)
        {
            iscale = (rmin + (rdelta * step) + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (var i = 0; i < n; i++)
            {
                var l = NearestInt(iscale * (x[i] - min));
                l = Math.Max(0, Math.Min(nmax, l));
                aux[i] = (byte)l;
                var w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[i];
            }

            var det = (sumW * sumL2) - (sumL * sumL);
            if (det > 0)
            {
                var thisScale = ((sumW * sumXL) - (sumX * sumL)) / det;
                var thisMin = ((sumL2 * sumX) - (sumL * sumXL)) / det;
                if (thisMin > 0)
                {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }

                var curError = 0f;
                for (var i = 0; i < n; i++)
                {
                    var diff = (thisScale * aux[i]) + thisMin - x[i];
                    diff *= diff;
                    curError += weights[i] * diff;
                }

                if (curError < bestError)
                {
                    aux[..n].CopyTo(levels);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }

        theMin = -min;
        return scale;
    }

    // make_qx_quants with rmse_type 1 (weights x²) and no importance: symmetric levels in [-nmax, nmax-1] stored +nmax,
    // refined over 18 candidate inverse scales.
    private static float MakeQxQuants(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> levels)
    {
        float max = 0, amax = 0;
        for (var i = 0; i < n; i++)
        {
            var ax = MathF.Abs(x[i]);
            if (ax > amax)
            {
                amax = ax;
                max = x[i];
            }
        }

        if (amax < GroupMaxEps)
        {
            levels[..n].Clear();
            return 0f;
        }

        var iscale = -nmax / max;
        float sumLX = 0, sumL2 = 0;
        for (var i = 0; i < n; i++)
        {
            var l = NearestInt(iscale * x[i]);
            l = Math.Max(-nmax, Math.Min(nmax - 1, l));
            levels[i] = (sbyte)(l + nmax);
            var w = x[i] * x[i];
            sumLX += w * x[i] * l;
            sumL2 += w * l * l;
        }

        var scale = sumL2 != 0 ? sumLX / sumL2 : 0f;
        var best = scale * sumLX;
        for (var step = -9; step <= 9; step++)
        {
            if (step == 0)
            {
                continue;
            }

            iscale = -(nmax + (0.1f * step)) / max;
            sumLX = sumL2 = 0;
            for (var i = 0; i < n; i++)
            {
                var l = NearestInt(iscale * x[i]);
                l = Math.Max(-nmax, Math.Min(nmax - 1, l));
                var w = x[i] * x[i];
                sumLX += w * x[i] * l;
                sumL2 += w * l * l;
            }

            if (sumL2 > 0 && sumLX * sumLX > best * sumL2)
            {
                for (var i = 0; i < n; i++)
                {
                    var l = NearestInt(iscale * x[i]);
                    levels[i] = (sbyte)(nmax + Math.Max(-nmax, Math.Min(nmax - 1, l)));
                }

                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }

        return scale;
    }
}
