namespace HybridAI.Llama.Tests;

public sealed unsafe class MemoryReadTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(127, true)]
    [InlineData(128, true)]
    [InlineData(1000, true)]
    [InlineData(1000, false)]
    [InlineData(127, false)]
    public void Sum_AddsEveryByteIncludingTheTail(int length, bool prefetch)
    {
        var bytes = new byte[length + 256];
        var random = new Random(length);
        random.NextBytes(bytes);

        // Bytes as little-endian 64-bit words summed in any order equal the plain sum of the words; past the last whole
        // 128-byte step, bytes are added one by one.
        var steps = length / 128 * 128;
        long expected = 0;
        for (var i = 0; i < steps; i += 8)
        {
            expected += BitConverter.ToInt64(bytes, i);
        }

        for (var i = steps; i < length; i++)
        {
            expected += bytes[i];
        }

        fixed (byte* p = bytes)
        {
            Assert.Equal(expected, MemoryRead.Sum(p, length, prefetch));
        }
    }
}
