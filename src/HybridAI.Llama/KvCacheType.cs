namespace HybridAI.Llama;

/// <summary>The element type of the key/value cache: memory against precision.</summary>
public enum KvCacheType
{
    /// <summary>16-bit floats (half the memory; llama.cpp's default).</summary>
    F16 = 0,

    /// <summary>32-bit floats.</summary>
    F32 = 1,
}
