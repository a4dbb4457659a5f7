using HybridAI.Testing;

namespace HybridAI.Llama.Tests;

public sealed class RandomLlamaWriterTests
{
    private static readonly string[] s_layerParts =
        ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"];

    [Fact]
    public void Build_DefaultTinyModel_HasCompleteLlamaMetadataAndTensors()
    {
        var builder = new TestModelBuilder();
        using var model = builder.Build();
        using var file = GgufFile.Open(model.Path);
        var m = file.Metadata;

        Assert.Equal("llama", m.GetString("general.architecture"));
        Assert.Equal(128u, m.GetUInt32("llama.context_length"));
        Assert.Equal(64u, m.GetUInt32("llama.embedding_length"));
        Assert.Equal(2u, m.GetUInt32("llama.block_count"));
        Assert.Equal(96u, m.GetUInt32("llama.feed_forward_length"));
        Assert.Equal(4u, m.GetUInt32("llama.attention.head_count"));
        Assert.Equal(2u, m.GetUInt32("llama.attention.head_count_kv"));
        Assert.Equal(10000f, m.GetFloat32("llama.rope.freq_base"));
        Assert.Equal(1e-5f, m.GetFloat32("llama.attention.layer_norm_rms_epsilon"));
        Assert.Equal(16u, m.GetUInt32("llama.rope.dimension_count"));
        Assert.Equal("llama", m.GetString("tokenizer.ggml.model"));
        var tokens = m.GetStringArray("tokenizer.ggml.tokens");
        Assert.Equal(300, tokens.Length);
        Assert.Equal(["<unk>", "<s>", "</s>", "<0x00>"], tokens[..4]);
        Assert.Equal("<0xFF>", tokens[258]);
        Assert.Equal(300, m.GetFloat32Array("tokenizer.ggml.scores").Length);
        Assert.Equal([2, 3, 3, 6], m.GetInt32Array("tokenizer.ggml.token_type")[..4]);
        Assert.Equal(1u, m.GetUInt32("tokenizer.ggml.bos_token_id"));
        Assert.Equal(2u, m.GetUInt32("tokenizer.ggml.eos_token_id"));

        Assert.Equal([64L, 300], file.GetTensor("token_embd.weight").Dimensions);
        Assert.Equal([64L, 32], file.GetTensor("blk.1.attn_k.weight").Dimensions);
        Assert.Equal([96L, 64], file.GetTensor("blk.0.ffn_down.weight").Dimensions);
        Assert.Equal([64L, 300], file.GetTensor("output.weight").Dimensions);
        Assert.Equal(2 * 9 + 3, file.Tensors.Count);
        Assert.All(file.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
        Assert.Equal(builder.Shape.ParameterCount(), file.Tensors.Sum(t => t.ElementCount));
    }

    [Fact]
    public void Build_F32_WeightsUniformInRangeAndNormsOne()
    {
        using var model = new TestModelBuilder { WeightRange = 0.25f }.Build();
        using var file = GgufFile.Open(model.Path);

        var weights = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(file.GetTensorBytes(file.GetTensor("blk.0.attn_q.weight")));
        Assert.All(weights.ToArray(), w => Assert.InRange(w, -0.25f, 0.25f));
        Assert.InRange(weights.ToArray().Average(), -0.02, 0.02);
        Assert.InRange(weights.ToArray().Max(), 0.2f, 0.25f);
        var norm = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(file.GetTensorBytes(file.GetTensor("blk.1.ffn_norm.weight")));
        Assert.All(norm.ToArray(), w => Assert.Equal(1f, w));
    }

    [Fact]
    public void Build_SameSeed_SameBytes_DifferentSeed_DifferentWeights()
    {
        using var a = new TestModelBuilder { Seed = 5 }.Build();
        using var b = new TestModelBuilder { Seed = 5 }.Build();
        using var c = new TestModelBuilder { Seed = 6 }.Build();

        Assert.Equal(File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path));
        Assert.NotEqual(File.ReadAllBytes(a.Path), File.ReadAllBytes(c.Path));
    }

    [Theory]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.BF16)]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.Q6_K)]
    public void Build_PerTensorType_WritesThatTypeForMatrices(GgmlType type)
    {
        using var model = new TestModelBuilder { EmbeddingLength = 256, FeedForwardLength = 256, BlockCount = 1, HeadCount = 2, HeadCountKv = 1, VocabSize = 259 }
            .WithAllMatrices(type).Build();
        using var file = GgufFile.Open(model.Path);

        Assert.Equal(type, file.GetTensor("blk.0.attn_q.weight").Type);
        Assert.Equal(type, file.GetTensor("token_embd.weight").Type);
        Assert.Equal(GgmlType.F32, file.GetTensor("blk.0.attn_norm.weight").Type);
        Assert.Equal(GgmlTypeInfo.RowBytes(type, 256) * 256, file.GetTensor("blk.0.ffn_down.weight").ByteSize);
    }

    [Fact]
    public void PlanTensors_Q4KM_FollowsLlamaCppMix()
    {
        var builder = new TestModelBuilder
        {
            EmbeddingLength = 256, FeedForwardLength = 512, BlockCount = 8, HeadCount = 4, HeadCountKv = 2, DefaultType = LlamaFileType.Q4_K_M,
        };
        var plan = builder.CreateWriter().PlanTensors().ToDictionary(t => t.Name, t => t.Type);

        // use_more_bits(i, 8): i < 1, i >= 7, or (i - 1) % 3 == 2 → layers 0, 3, 6, 7.
        var moreBits = new[] { 0, 3, 6, 7 };
        for (var i = 0; i < 8; i++)
        {
            var expected = moreBits.Contains(i) ? GgmlType.Q6_K : GgmlType.Q4_K;
            Assert.Equal(expected, plan[$"blk.{i}.attn_v.weight"]);
            Assert.Equal(expected, plan[$"blk.{i}.ffn_down.weight"]);
            Assert.Equal(GgmlType.Q4_K, plan[$"blk.{i}.attn_q.weight"]);
            Assert.Equal(GgmlType.F32, plan[$"blk.{i}.ffn_norm.weight"]);
        }

        Assert.Equal(GgmlType.Q6_K, plan["output.weight"]);
        Assert.Equal(GgmlType.Q4_K, plan["token_embd.weight"]);
        builder.TiedOutput = true;
        Assert.Equal(GgmlType.Q6_K, builder.CreateWriter().PlanTensors().Single(t => t.Name == "token_embd.weight").Type);
    }

    [Fact]
    public void Build_Q4KM_WritesFileTypeAndMixedTensors()
    {
        using var model = new TestModelBuilder
        {
            EmbeddingLength = 256, FeedForwardLength = 256, BlockCount = 1, HeadCount = 2, HeadCountKv = 1, VocabSize = 259, DefaultType = LlamaFileType.Q4_K_M,
        }.Build();
        using var file = GgufFile.Open(model.Path);

        Assert.Equal(15u, file.Metadata.GetUInt32("general.file_type"));
        Assert.Equal(2u, file.Metadata.GetUInt32("general.quantization_version"));
        Assert.Equal(GgmlType.Q6_K, file.GetTensor("blk.0.attn_v.weight").Type);
        Assert.Equal(GgmlType.Q4_K, file.GetTensor("blk.0.attn_q.weight").Type);
        Assert.Equal(GgmlType.Q6_K, file.GetTensor("output.weight").Type);
    }

    [Fact]
    public void Choose_MatchesLlamaQuantizeOnFixture()
    {
        // The fixtures were quantized by llama-quantize from the same F32 model: our mix must pick the same type per tensor.
        foreach (var (fixture, fileType) in new[] { ("q4_k_m", LlamaFileType.Q4_K_M), ("q4_0", LlamaFileType.Q4_0), ("q8_0", LlamaFileType.Q8_0), ("f16", LlamaFileType.F16) })
        {
            using var file = GgufFile.Open(Fixtures.PathOf($"models/random-small-{fixture}.gguf"));
            var layers = (int)file.Metadata.GetUInt32("llama.block_count");
            var hasOutput = file.FindTensor("output.weight") is not null;
            foreach (var tensor in file.Tensors)
            {
                Assert.Equal(tensor.Type, LlamaQuantizationMix.Choose(fileType, tensor.Name, tensor.Dimensions, layers, hasOutput));
            }
        }
    }

    [Fact]
    public void Choose_RowsNotMultipleOf256_FallBackLikeLlamaCpp()
    {
        Assert.Equal(GgmlType.Q5_0, LlamaQuantizationMix.Choose(LlamaFileType.Q4_K_M, "blk.0.attn_q.weight", [576, 576], 30, false));
        Assert.Equal(GgmlType.Q8_0, LlamaQuantizationMix.Choose(LlamaFileType.Q4_K_M, "token_embd.weight", [576, 49152], 30, false));
        Assert.Equal(GgmlType.Q8_0, LlamaQuantizationMix.Choose(LlamaFileType.Q4_K_M, "blk.0.ffn_down.weight", [1600, 576], 30, false));
        Assert.Equal(GgmlType.F16, LlamaQuantizationMix.Choose(LlamaFileType.Q4_K_M, "blk.1.attn_q.weight", [48, 48], 30, false));
        Assert.Equal(GgmlType.Q4_K, LlamaQuantizationMix.Choose(LlamaFileType.Q4_K_M, "blk.4.ffn_down.weight", [1536, 576], 30, false));
        Assert.Equal(GgmlType.Q6_K, LlamaQuantizationMix.Choose(LlamaFileType.Q4_K_M, "blk.1.ffn_down.weight", [1536, 576], 30, false));
    }

    [Fact]
    public void Build_RopeScaling_WritesLlama3Factors()
    {
        var builder = new TestModelBuilder { EmbeddingLength = 128, HeadCount = 2, HeadCountKv = 1, RopeFrequencyBase = 500000f, RopeScaling = new(32f, 1f, 4f, 8192) };
        using var model = builder.Build();
        using var file = GgufFile.Open(model.Path);

        var tensor = file.GetTensor("rope_freqs.weight");
        Assert.Equal([32L], tensor.Dimensions);
        var factors = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(file.GetTensorBytes(tensor)).ToArray();
        Assert.Equal(1f, factors[0]);
        Assert.Equal(32f, factors[^1]);
        Assert.All(factors, f => Assert.InRange(f, 1f, 32f));
        Assert.True(factors.Zip(factors.Skip(1)).All(p => p.First <= p.Second));
    }

    [Fact]
    public void WithVocabularyFrom_Fixture_CopiesEveryTokenizerKey()
    {
        var vocabPath = Fixtures.PathOf("models/aidreams260K-f32.gguf");
        using var model = new TestModelBuilder { BlockCount = 1 }.WithVocabularyFrom(vocabPath).Build();
        using var file = GgufFile.Open(model.Path);
        using var source = GgufFile.Open(vocabPath);

        var sourceKeys = source.Metadata.Keys.Where(k => k.StartsWith("tokenizer.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(sourceKeys);
        foreach (var key in sourceKeys)
        {
            Assert.Equal(source.Metadata[key].Type, file.Metadata[key].Type);
            Assert.Equal(source.Metadata[key].ToString(), file.Metadata[key].ToString());
        }

        Assert.Equal(source.Metadata.GetStringArray("tokenizer.ggml.tokens"), file.Metadata.GetStringArray("tokenizer.ggml.tokens"));
        Assert.Equal([64L, 512], file.GetTensor("token_embd.weight").Dimensions);
    }

    [Fact]
    public void Shapes_KnownShapes_HaveExpectedParameterCounts()
    {
        Assert.InRange(LlamaShape.TinyLlama11B.ParameterCount(), 1_090_000_000, 1_110_000_000);
        Assert.InRange(LlamaShape.Llama32_1B.ParameterCount(), 1_230_000_000, 1_240_000_000);
        Assert.InRange(LlamaShape.SmolLM135M.ParameterCount(), 134_000_000, 135_000_000);
        Assert.Same(LlamaShape.SmolLM135M, LlamaShape.Find("SmolLM-135M"));
        Assert.Null(LlamaShape.Find("gpt-5"));
    }
}
