namespace HybridAI.Llama.Tests;

/// <summary>
/// The test classes that assert "nothing is allocated" with <see cref="GC.GetAllocatedBytesForCurrentThread"/> run in this
/// collection, one at a time and after the parallel ones. With other tests running beside them, a full run occasionally
/// saw a few kilobytes on the measuring thread: in the decode, sampler, tokenizer and mat-vec tests alike, never in
/// isolation, whatever the code under test. The runtime's own lazy work on that thread is the likely source (tier-up and
/// on-stack replacement compile on the calling thread; the monitor and the wait subsystem allocate on first use), and its
/// timing depends on the load. Running them alone keeps those events in the warm-up, where they belong; the assertions are
/// unchanged.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    public const string Name = "Allocation measurements";
}
