namespace HybridAI.Llama;

/// <summary>The overall weight type of a llama GGUF file, with llama.cpp's <c>general.file_type</c> values.</summary>
#pragma warning disable CA1707 // llama.cpp's own names (Q4_K_M) are the domain's words.
internal enum LlamaFileType
{
    /// <summary>Every tensor F32.</summary>
    F32 = 0,
    /// <summary>2-D tensors F16, norms F32.</summary>
    F16 = 1,
    /// <summary>2-D tensors Q4_0, the output head Q6_K, norms F32.</summary>
    Q4_0 = 2,
    /// <summary>2-D tensors Q8_0, norms F32.</summary>
    Q8_0 = 7,
    /// <summary>Mostly Q4_K with Q6_K for the output head and some attn_v and ffn_down tensors (llama.cpp's mix).</summary>
    Q4_K_M = 15,
    /// <summary>2-D tensors BF16, norms F32.</summary>
    BF16 = 32,
}
#pragma warning restore CA1707
