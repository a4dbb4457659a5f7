using HybridAI.Testing;

namespace HybridAI.Llama.Tests.Inference;

public sealed class LlamaContextTests(ITestOutputHelper output)
{
    private static readonly int[] s_prompt = [1, 403, 407, 261, 378, 290, 300, 12, 77, 400];

    public static TheoryData<string> FixtureModels =>
    [
        "stories260K-plctlab-f32", "stories260K-plctlab-q4_0", "random-small-f32", "random-small-f16", "random-small-bf16",
        "random-small-q8_0", "random-small-q4_0", "random-small-q4_k_m", "random-small-q5_k_m", "random-small-q6_k",
    ];

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public void Decode_AnyWeightType_AgreesWithScalarReference(string model)
    {
        using var llama = LlamaModel.Load(Fixtures.PathOf($"models/{model}.gguf"));
        var reference = new ScalarReferenceModel(llama.File).Logits(s_prompt);
        using var context = llama.CreateContext(64, KvCacheType.F32, threads: 2);

        var actual = context.Decode(s_prompt).ToArray();

        var scale = reference.Max(Math.Abs);
        var worst = reference.Zip(actual, (r, a) => Math.Abs(r - a)).Max();
        output.WriteLine($"{model}: max |Δ| = {worst:E3}, relative {worst / scale:E3}");
        Assert.True(worst <= ReferenceTolerance(llama) * scale, $"{model}: engine differs from the scalar reference by {worst:E3}.");
    }

    [Theory]
    [InlineData(KvCacheType.F32)]
    [InlineData(KvCacheType.F16)]
    public void Decode_TokenByTokenWithCache_EqualsWholePromptFromScratch(KvCacheType cacheType)
    {
        using var llama = LlamaModel.Load(Fixtures.PathOf("models/random-small-q4_k_m.gguf"));
        using var whole = llama.CreateContext(64, cacheType, threads: 2);
        using var incremental = llama.CreateContext(64, cacheType, threads: 1);

        var expected = whole.Decode(s_prompt).ToArray();
        ReadOnlySpan<float> actual = default;
        foreach (var token in s_prompt)
        {
            actual = incremental.Decode([token]);
        }

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + MathF.Abs(expected[i])), $"logit {i}: {expected[i]} vs {actual[i]}");
        }
    }

    [Fact]
    public void Truncate_ThenDecodeAgain_ReproducesTheSameLogits()
    {
        using var llama = LlamaModel.Load(Fixtures.PathOf("models/stories260K-plctlab-q8_0.gguf"));
        using var context = llama.CreateContext(64, KvCacheType.F32, threads: 2);
        var first = context.Decode(s_prompt).ToArray();
        context.Decode([5, 6, 7]);

        context.Truncate(s_prompt.Length - 1);
        var again = context.Decode(s_prompt.AsSpan(s_prompt.Length - 1)).ToArray();

        Assert.Equal(first, again);
        Assert.Equal(s_prompt, context.Tokens.ToArray());
    }

    [Fact]
    public void Decode_PastContextSize_ThrowsAndKeepsState()
    {
        using var llama = LlamaModel.Load(Fixtures.PathOf("models/stories260K-plctlab-f32.gguf"));
        using var context = llama.CreateContext(8, KvCacheType.F32, threads: 1);
        context.Decode(s_prompt.AsSpan(0, 6));

        var error = Assert.Throws<ArgumentException>(() => context.Decode(s_prompt.AsSpan(0, 3)));

        Assert.Contains("8", error.Message, StringComparison.Ordinal);
        Assert.Equal(6, context.Tokens.Length);
    }

    [Fact]
    public void Decode_TokenOutsideVocabulary_Throws()
    {
        using var llama = LlamaModel.Load(Fixtures.PathOf("models/stories260K-plctlab-f32.gguf"));
        using var context = llama.CreateContext(8, KvCacheType.F32, threads: 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => context.Decode([1, 512]));
        Assert.Equal(0, context.Tokens.Length);
    }

    [Fact]
    public void Decode_CancelledToken_ThrowsAndLeavesCacheUnchanged()
    {
        using var llama = LlamaModel.Load(Fixtures.PathOf("models/stories260K-plctlab-f32.gguf"));
        using var context = llama.CreateContext(16, KvCacheType.F32, threads: 1);
        context.Decode([1, 403]);

        Assert.Throws<OperationCanceledException>(() => context.Decode([407], new CancellationToken(canceled: true)));
        Assert.Equal(new[] { 1, 403 }, context.Tokens.ToArray());
    }

    /// <summary>
    /// The reference multiplies by exact dequantized weights and exact activations in double. The engine rounds activations to
    /// the weights' dot-product type first (Q8_0 or Q8_K blocks, F16, BF16), as llama.cpp does: that rounding (about 0.4% per
    /// element for 8 bits, 0.4% for BF16's 8-bit mantissa, 0.05% for F16) dominates the difference; F32 weights leave only float noise.
    /// With quantized weights that noise reaches 7.9e-2 of the largest logit on the 64-wide stories260K (Q4_0) and 3.3e-2 on
    /// random-small Q5_K_M, where the engine's logits equal llama.cpp's bit for bit (LlamaConformanceTests), so 1e-1 is the bound.
    /// </summary>
    private static double ReferenceTolerance(LlamaModel model)
    {
        var types = model.Info.TensorTypes.Keys;
        if (types.All(t => t == GgmlType.F32))
        {
            return 1e-4;
        }

        if (types.Any(t => t is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16)))
        {
            return 1e-1;
        }

        return types.Contains(GgmlType.BF16) ? 3e-2 : 5e-3;
    }
}
