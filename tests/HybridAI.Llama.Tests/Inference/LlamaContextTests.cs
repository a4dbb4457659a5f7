using HybridAI.Testing;

namespace HybridAI.Llama.Tests.Inference;

public sealed class LlamaContextTests(ITestOutputHelper output)
{
    private static readonly int[] s_prompt = [1, 403, 407, 261, 378, 290, 300, 12, 77, 400];

    public static TheoryData<string> FixtureModels =>
    [
        "stories260K-plctlab-f32", "stories260K-plctlab-q4_0", "random-small-f32", "random-small-f16", "random-small-bf16",
        "random-small-q8_0", "random-small-q4_0", "random-small-q4_k_m", "random-small-q5_k_m", "random-small-q6_k", "random-small-q4_k_s",
    ];

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public void Decode_AnyWeightType_AgreesWithScalarReference(string model)
    {
        using var llama = LlamaModel.Load(Fixtures.PathOf($"models/{model}.gguf"));
        using var context = llama.CreateContext(64, KvCacheType.F32, threads: 2);

        var actual = context.Decode(s_prompt).ToArray();

        var (worst, scale, flipped) = CompareWithReference(new ScalarReferenceModel(llama.File), s_prompt, actual, ReferenceTolerance(llama));
        output.WriteLine($"{model}: max |Δ| = {worst:E3}, relative {worst / scale:E3}, near ties rounded the other way: {flipped}");
        KnownGaps.Check($"reference {model}", () =>
            Assert.True(worst <= ReferenceTolerance(llama) * scale, $"{model}: engine differs from the scalar reference by {worst:E3}."));
    }

    public static TheoryData<string> QuantizedFixtureModels =>
    [
        "stories260K-plctlab-q4_0", "stories260K-plctlab-q8_0", "random-small-q8_0", "random-small-q4_0", "random-small-q4_k_s",
        "random-small-q4_k_m", "random-small-q5_k_m", "random-small-q6_k",
    ];

    /// <summary>
    /// Checks the reference itself against llama.cpp's first-step logits (F32 cache): with the same activation rounding it must
    /// land on them, so that agreeing with it means agreeing with llama.cpp's arithmetic, not with a shared mistake.
    /// </summary>
    [Theory]
    [MemberData(nameof(QuantizedFixtureModels))]
    public void ScalarReference_FirstStep_AgreesWithLlamaCpp(string model)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf($"reference/{model}-greedy.json")));
        using var llama = LlamaModel.Load(Fixtures.PathOf($"models/{model}.gguf"));
        var run = json.RootElement.GetProperty("results_kv_f32")[0];
        var llamaCpp = run.GetProperty("full_logits_first_step").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var prompt = run.GetProperty("prompt_ids").EnumerateArray().Select(v => v.GetInt32()).ToArray();

        var (worst, scale, flipped) = CompareWithReference(new ScalarReferenceModel(llama.File), prompt, llamaCpp, ReferenceTolerance(llama));

        output.WriteLine($"{model}: max |Δ| = {worst:E3}, relative {worst / scale:E3}, near ties rounded the other way: {flipped}");
        KnownGaps.Check($"reference vs llama.cpp {model}", () =>
            Assert.True(worst <= ReferenceTolerance(llama) * scale, $"{model}: the scalar reference differs from llama.cpp by {worst:E3}."));
    }

    public static TheoryData<GgmlType, bool> WeightTypes => new()
    {
        { GgmlType.F32, false }, { GgmlType.F16, true }, { GgmlType.BF16, false }, { GgmlType.Q8_0, true },
        { GgmlType.Q4_0, false }, { GgmlType.Q4_K, true }, { GgmlType.Q5_K, false }, { GgmlType.Q6_K, true },
        { GgmlType.Q4_0, true }, { GgmlType.Q4_K, false }, { GgmlType.Q5_K, true }, { GgmlType.Q6_K, false },
        { GgmlType.Q5_0, false }, { GgmlType.Q5_0, true },
    };

    [Theory]
    [MemberData(nameof(WeightTypes))]
    public void Decode_SelfBuiltModelOfEachType_AgreesWithScalarReference(GgmlType type, bool tiedOutput)
    {
        using var file = new HybridAI.Llama.Tests.TestModelBuilder
        {
            EmbeddingLength = 256, FeedForwardLength = 512, BlockCount = 2, HeadCount = 4, HeadCountKv = 2, VocabSize = 300,
            TiedOutput = tiedOutput, WeightRange = 0.1f, Seed = (ulong)type + 7,
        }.WithAllMatrices(type).Build();
        using var llama = LlamaModel.Load(file.Path);
        int[] prompt = [1, 17, 250, 3, 99, 42, 7, 120];
        using var context = llama.CreateContext(32, KvCacheType.F32, threads: 2);

        var actual = context.Decode(prompt).ToArray();

        var (worst, scale, flipped) = CompareWithReference(new ScalarReferenceModel(llama.File), prompt, actual, 2e-3);
        output.WriteLine($"{type} (tied {tiedOutput}): max |Δ| = {worst:E3}, relative {worst / scale:E3}, near ties rounded the other way: {flipped}");
        KnownGaps.Check($"reference {type}", () =>
            Assert.True(worst <= 2e-3 * scale, $"{type}: engine differs from the scalar reference by {worst:E3} (largest logit {scale:F3})."));
    }

    /// <summary>
    /// Generation allocates nothing per token once warm (the calling thread, which runs everything but the pool workers'
    /// kernels): a prompt, then single-token decodes with both caches, the Q4_K_M mix and 2 threads.
    /// </summary>
    [Theory]
    [InlineData(KvCacheType.F32)]
    [InlineData(KvCacheType.F16)]
    public void Decode_SteadyStateGeneration_AllocatesNothing(KvCacheType cacheType)
    {
        using var file = new HybridAI.Llama.Tests.TestModelBuilder
        {
            EmbeddingLength = 256, FeedForwardLength = 512, BlockCount = 2, HeadCount = 4, HeadCountKv = 2, VocabSize = 300,
            WeightRange = 0.1f, Seed = 21, DefaultType = LlamaFileType.Q4_K_M,
        }.Build();
        using var llama = LlamaModel.Load(file.Path);
        using var context = llama.CreateContext(128, cacheType, threads: 2);
        int[] token = [1];
        context.Decode([1, 17, 250, 3, 99, 42, 7, 120]);
        for (var i = 0; i < 20; i++)
        {
            token[0] = 10 + i;
            context.Decode(token);
        }

        // Which token allocated first, and whether a collection ran meanwhile, say where to look when this fails.
        var collections = GC.CollectionCount(0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var firstAllocating = -1;
        for (var i = 0; i < 40; i++)
        {
            token[0] = 40 + i;
            context.Decode(token);
            if (firstAllocating < 0 && GC.GetAllocatedBytesForCurrentThread() != before)
            {
                firstAllocating = i;
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(
            allocated == 0,
            $"{allocated} B allocated over 40 tokens, first in token {firstAllocating}; gen-0 collections meanwhile: {GC.CollectionCount(0) - collections}.");
    }

    /// <summary>
    /// q/k/v and gate/up in one pool run each give the same logits, bit for bit, as one product after another: a prompt
    /// (batch kernels) and single tokens, for Q4_0 (repacked order), Q8_0, a Q4_K_M mix on 160-wide rows (Q5_0 and Q8_0
    /// fallbacks in one run), and a file whose v (F16) and up (Q4_K) need other activations than q/k and gate (Q8_0): those
    /// run one after another.
    /// </summary>
    [Theory]
    [InlineData("Q4_0", 256, false)]
    [InlineData("Q8_0", 256, false)]
    [InlineData("Q4_K_M", 160, false)]
    [InlineData("Q8_0", 256, true)]
    public void Decode_FusedAndSeparateProducts_GiveTheSameBits(string fileType, int embedding, bool mixedInputs)
    {
        using var file = new HybridAI.Llama.Tests.TestModelBuilder
        {
            EmbeddingLength = embedding, FeedForwardLength = 512, BlockCount = 2, HeadCount = 4, HeadCountKv = 2, VocabSize = 300,
            WeightRange = 0.1f, Seed = 77, DefaultType = Enum.Parse<LlamaFileType>(fileType),
            TensorType = mixedInputs ? (name, _) => name.EndsWith("attn_v.weight", StringComparison.Ordinal) ? GgmlType.F16
                : name.EndsWith("ffn_up.weight", StringComparison.Ordinal) ? GgmlType.Q4_K : null : null,
        }.Build();
        using var llama = LlamaModel.Load(file.Path);
        if (mixedInputs)
        {
            Assert.Equal(GgmlType.F16, llama.File.GetTensor("blk.1.attn_v.weight").Type);
            Assert.Equal(GgmlType.Q4_K, llama.File.GetTensor("blk.1.ffn_up.weight").Type);
        }

        using var fused = llama.CreateContext(64, KvCacheType.F16, threads: 3);
        using var separate = llama.CreateContext(64, KvCacheType.F16, threads: 3);
        separate.FuseSharedInputProducts = false;
        int[] prompt = [1, 17, 250, 3, 99, 42, 7, 120, 5, 6, 11];
        Assert.Equal(separate.Decode(prompt).ToArray(), fused.Decode(prompt).ToArray());
        for (var i = 0; i < 5; i++)
        {
            int[] token = [30 + i];
            Assert.Equal(separate.Decode(token).ToArray(), fused.Decode(token).ToArray());
        }
    }

    /// <summary>
    /// llama.cpp's Q4_K_M mix on rows that are not a multiple of 256 (as smollm's 576): q4_K tensors fall back to Q5_0 and
    /// q6_K ones to Q8_0, while ffn_down (rows of 512) keeps Q4_K/Q6_K. An 8-token prompt runs the batch (4×4) kernels.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decode_Q4KMMixWithQ5_0Fallbacks_AgreesWithScalarReference(bool tiedOutput)
    {
        using var file = new HybridAI.Llama.Tests.TestModelBuilder
        {
            EmbeddingLength = 160, FeedForwardLength = 512, BlockCount = 2, HeadCount = 4, HeadCountKv = 2, VocabSize = 300,
            TiedOutput = tiedOutput, WeightRange = 0.1f, Seed = 55, DefaultType = LlamaFileType.Q4_K_M,
        }.Build();
        using var llama = LlamaModel.Load(file.Path);
        Assert.Equal(GgmlType.Q5_0, llama.File.GetTensor("blk.0.attn_q.weight").Type);
        Assert.Equal(GgmlType.Q5_0, llama.File.GetTensor("blk.1.ffn_up.weight").Type);
        Assert.Equal(GgmlType.Q5_0, llama.File.GetTensor("blk.0.attn_v.weight").Type);
        Assert.Equal(GgmlType.Q8_0, llama.File.GetTensor("blk.1.attn_v.weight").Type);
        Assert.Equal(GgmlType.Q4_K, llama.File.GetTensor("blk.0.ffn_down.weight").Type);
        Assert.Equal(GgmlType.Q6_K, llama.File.GetTensor("blk.1.ffn_down.weight").Type);
        int[] prompt = [1, 17, 250, 3, 99, 42, 7, 120];
        using var context = llama.CreateContext(32, KvCacheType.F32, threads: 2);

        var actual = context.Decode(prompt).ToArray();

        var (worst, scale, flipped) = CompareWithReference(new ScalarReferenceModel(llama.File), prompt, actual, 2e-3);
        output.WriteLine($"Q4_K_M mix (tied {tiedOutput}): max |Δ| = {worst:E3}, relative {worst / scale:E3}, near ties rounded the other way: {flipped}");
        Assert.True(worst <= 2e-3 * scale, $"engine differs from the scalar reference by {worst:E3} (largest logit {scale:F3}).");
    }

    [Theory]
    [InlineData(KvCacheType.F16, 5)]
    [InlineData(KvCacheType.F16, 13)]
    [InlineData(KvCacheType.F32, 5)]
    [InlineData(KvCacheType.F32, 33)]
    public void Decode_ContextSizeNotAMultipleOf32_GivesTheSameLogitsAsALargeContext(KvCacheType cacheType, int contextSize)
    {
        // Regression: attention spans whole multiples of 32 cells (llama.cpp pads n_ctx so); a context of 5 once made the
        // batched V product read past the cache row and return NaN logits.
        using var file = new HybridAI.Llama.Tests.TestModelBuilder
        {
            EmbeddingLength = 128, FeedForwardLength = 256, BlockCount = 2, HeadCount = 4, HeadCountKv = 2, VocabSize = 200,
            WeightRange = 0.1f, Seed = 11,
        }.WithAllMatrices(GgmlType.Q8_0).Build();
        using var llama = LlamaModel.Load(file.Path);
        int[] prompt = [1, 17, 150];
        using var small = llama.CreateContext(contextSize, cacheType, threads: 2);
        using var large = llama.CreateContext(64, cacheType, threads: 2);

        for (var step = 0; step < 2; step++)
        {
            ReadOnlySpan<int> tokens = step == 0 ? prompt : [42];
            var expected = large.Decode(tokens).ToArray();
            var actual = small.Decode(tokens).ToArray();

            Assert.All(actual, value => Assert.True(float.IsFinite(value)));
            Assert.Equal(expected, actual);
        }
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

    /// <summary>
    /// Generation with an F16 cache splits the attention's heads over the threads; with three threads the four heads of two
    /// KV groups split 1 / 1 / 2, so a group is shared by two threads. Every logit equals one thread's, bit for bit.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Decode_F16CacheOneTokenAtATime_AnyThreadCountGivesTheSameBits(int threads)
    {
        using var file = new HybridAI.Llama.Tests.TestModelBuilder
        {
            EmbeddingLength = 128, FeedForwardLength = 256, BlockCount = 2, HeadCount = 4, HeadCountKv = 2, VocabSize = 200,
            WeightRange = 0.1f, Seed = 91,
        }.WithAllMatrices(GgmlType.Q8_0).Build();
        using var llama = LlamaModel.Load(file.Path);
        using var single = llama.CreateContext(96, KvCacheType.F16, threads: 1);
        using var several = llama.CreateContext(96, KvCacheType.F16, threads: threads);
        single.Decode([1, 5, 9]);
        several.Decode([1, 5, 9]);
        for (var step = 0; step < 70; step++)
        {
            var token = (step * 37 % 199) + 1;
            var expected = single.Decode([token]).ToArray();
            var actual = several.Decode([token]).ToArray();
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                    $"step {step}, logit {i}: {expected[i]} with 1 thread, {actual[i]} with {threads}");
            }
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
    /// Compares the engine's logits with the reference's, allowing each near tie of the activation quantization (an element
    /// within <see cref="ScalarReferenceModel.TieMargin"/> of a rounding midpoint, or a Q8_0 block scale within
    /// <see cref="ScalarReferenceModel.ScaleTieMargin"/> of an F16 midpoint, where double and float legitimately round
    /// differently) to round either way: ties are tried one after another, scales first, in the order met, and a flip is kept when it brings
    /// the reference closer to the engine. One such flip moves these small random models' logits by up to ~2% (measured: a
    /// Q8_K input 9.2e-7 of a step from a midpoint in the self-built Q4_K model; a Q8_0 input of stories260K-plctlab-q4_0),
    /// far above the tolerance, while the engine equals llama.cpp's logits exactly on the fixtures.
    /// </summary>
    /// <returns>The largest |Δ|, the largest |reference logit|, and how many ties were rounded the other way.</returns>
    private static (double Worst, double Scale, int Flipped) CompareWithReference(
        ScalarReferenceModel reference, int[] prompt, float[] actual, double tolerance)
    {
        var expected = reference.Logits(prompt);
        var scale = expected.Max(Math.Abs);
        var worst = MaxDifference(expected, actual);
        // Block scales first (element < 0: a Q8_0 scale near an F16 midpoint moves a whole block), then elements, each in the order met.
        var ties = reference.NearTies.Where(t => t.Element < 0).Concat(reference.NearTies.Where(t => t.Element >= 0)).ToArray();
        foreach (var tie in ties)
        {
            if (worst <= tolerance * scale)
            {
                break;
            }

            reference.RoundedOtherWay.Add(tie);
            var candidate = reference.Logits(prompt);
            var difference = MaxDifference(candidate, actual);
            if (difference < worst)
            {
                (expected, worst) = (candidate, difference);
                scale = expected.Max(Math.Abs);
            }
            else
            {
                reference.RoundedOtherWay.Remove(tie);
            }
        }

        return (worst, scale, reference.RoundedOtherWay.Count);
    }

    private static double MaxDifference(double[] expected, float[] actual) => expected.Zip(actual, (r, a) => Math.Abs(r - a)).Max();

    /// <summary>
    /// The reference rounds matrix inputs as the engine does and sums products in float in another order, otherwise computes in
    /// double, so what remains is accumulation order and exp/sin/cos rounding (about 1e-6 relative per operation); Q8 inputs near a rounding midpoint are resolved
    /// by <see cref="CompareWithReference"/> (after that every quantized model agrees to under 3e-7 of the largest logit,
    /// measured). F16/BF16 inputs can still round to the other neighbour near their midpoints (one F16 step is 2^-11 relative;
    /// measured up to 5.4e-4 for F16 models). 2e-3 of the largest logit covers both with margin; a wrong block layout, scale or
    /// head mapping gives errors of order one.
    /// </summary>
    private static double ReferenceTolerance(LlamaModel model)
    {
        var types = model.Info.TensorTypes.Keys;
        if (types.All(t => t == GgmlType.F32))
        {
            return 1e-4;
        }

        // BF16 keeps 8 bits of mantissa: one activation that rounds the other way moves a product by 2^-8, 16 times an F16 step.
        return types.Contains(GgmlType.BF16) ? 5e-3 : 2e-3;
    }
}
