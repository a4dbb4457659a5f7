using BenchmarkDotNet.Running;
using HybridAI.Benchmarks;

if (args.Length > 0 && args[0] == "bandwidth")
{
    BandwidthProbe.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "matmul")
{
    MatMulProbe.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "decode")
{
    DecodeProbe.Run(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
