namespace HybridAI.Llama;

/// <summary>The element type of the key/value cache, as llama.cpp's <c>type_k</c>/<c>type_v</c>.</summary>
public enum KvCacheType
{
    /// <summary>32-bit floats: the most exact, twice the memory of <see cref="F16"/>.</summary>
    F32 = 0,

    /// <summary>16-bit floats: llama.cpp's default; half the memory of <see cref="F32"/>.</summary>
    F16 = 1,
}
