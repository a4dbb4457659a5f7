namespace HybridAI.Llama;

/// <summary>
/// Chooses the type of each tensor of a llama model for a <see cref="LlamaFileType"/>, following llama.cpp's quantizer
/// (<c>llama_tensor_get_type</c>, without an importance matrix) for the llama architecture.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class LlamaQuantizationMix
{
    /// <summary>Chooses the type of one tensor.</summary>
    /// <param name="fileType">The file's overall type.</param>
    /// <param name="name">The tensor's name, for example <c>blk.3.attn_v.weight</c>.</param>
    /// <param name="dimensions">The tensor's dimensions, <c>ne0</c> first.</param>
    /// <param name="blockCount">n_layer.</param>
    /// <param name="hasOutput">Whether the model has its own <c>output.weight</c> (not tied to token_embd).</param>
    public static GgmlType Choose(LlamaFileType fileType, string name, IReadOnlyList<long> dimensions, int blockCount, bool hasOutput)
    {
        // llama.cpp quantizes only matrices; norms and rope factors stay F32.
        if (dimensions.Count < 2 || fileType == LlamaFileType.F32)
        {
            return GgmlType.F32;
        }

        var type = fileType switch
        {
            LlamaFileType.F16 => GgmlType.F16,
            LlamaFileType.BF16 => GgmlType.BF16,
            LlamaFileType.Q8_0 => GgmlType.Q8_0,
            LlamaFileType.Q4_0 => GgmlType.Q4_0,
            LlamaFileType.Q4_K_M => GgmlType.Q4_K,
            _ => throw new ArgumentOutOfRangeException(nameof(fileType), fileType, "Unknown file type."),
        };
        if (type is GgmlType.F16 or GgmlType.BF16)
        {
            return type;
        }

        var rowLength = dimensions[0];
        if (name == "output.weight" || (!hasOutput && name == "token_embd.weight"))
        {
            // The output head gets more bits: Q6_K unless the file is Q8_0 (or rows do not fit 256-blocks).
            type = rowLength % 256 != 0 ? GgmlType.Q8_0 : type == GgmlType.Q8_0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
        }
        else if (fileType == LlamaFileType.Q4_K_M && (name.EndsWith(".attn_v.weight", StringComparison.Ordinal)
            || name.EndsWith(".ffn_down.weight", StringComparison.Ordinal)))
        {
            // llama.cpp visits tensors sorted by layer, so its running attn_v / ffn_down counter is the layer index.
            if (UseMoreBits(LayerOf(name), blockCount))
            {
                type = GgmlType.Q6_K;
            }
        }

        var blockSize = GgmlTypeInfo.BlockSize(type);
        if (rowLength % blockSize != 0)
        {
            type = type switch
            {
                GgmlType.Q4_K => GgmlType.Q5_0,
                GgmlType.Q5_K => GgmlType.Q5_1,
                GgmlType.Q6_K => GgmlType.Q8_0,
                _ => throw new ArgumentException($"Tensor '{name}': rows of {rowLength} cannot be quantized to {type}."),
            };
            if (rowLength % GgmlTypeInfo.BlockSize(type) != 0)
            {
                type = GgmlType.F16;
            }
        }

        return type;
    }

    /// <summary>llama.cpp's choice of the layers that get more bits: the first and last eighth, and every third between.</summary>
    public static bool UseMoreBits(int layer, int layerCount) =>
        layer < layerCount / 8 || layer >= 7 * layerCount / 8 || (layer - (layerCount / 8)) % 3 == 2;

    private static int LayerOf(string name)
    {
        var start = "blk.".Length;
        var end = name.IndexOf('.', start);
        return name.StartsWith("blk.", StringComparison.Ordinal) && end > start
            && int.TryParse(name.AsSpan(start, end - start), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var layer)
            ? layer
            : throw new ArgumentException($"Tensor '{name}' has no layer number.", nameof(name));
    }
}
