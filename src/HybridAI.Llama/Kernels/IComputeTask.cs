namespace HybridAI.Llama;

/// <summary>A piece of parallel work that <see cref="ComputePool"/> splits into contiguous ranges of items.</summary>
internal interface IComputeTask
{
    /// <summary>Processes items [<paramref name="start"/>, <paramref name="end"/>) on thread <paramref name="threadIndex"/> (0 is the caller).</summary>
    void Execute(int start, int end, int threadIndex);
}
