using HybridAI.Testing;

namespace HybridAI.Llama.Tests;

public sealed class GgufFileFixtureTests
{
    public static TheoryData<string> ModelFiles => new(
        "random-small-f32", "random-small-f16", "random-small-bf16", "random-small-q8_0", "random-small-q4_0",
        "random-small-q4_k_s", "random-small-q4_k_m", "random-small-q5_k_m", "random-small-q6_k",
        "aidreams260K-f32", "aidreams260K-q8_0", "aidreams260K-q4_0",
        "stories260K-plctlab-f32", "stories260K-plctlab-q8_0", "stories260K-plctlab-q4_0");

    [Theory]
    [MemberData(nameof(ModelFiles))]
    public void Open_FixtureModel_ListsLlamaTensorsAndMetadata(string name)
    {
        using var file = GgufFile.Open(Fixtures.PathOf($"models/{name}.gguf"));

        Assert.Equal("llama", file.Metadata.GetString("general.architecture"));
        var layers = (int)file.Metadata.GetUInt32("llama.block_count");
        var embd = file.Metadata.GetUInt32("llama.embedding_length");
        var ff = file.Metadata.GetUInt32("llama.feed_forward_length");
        var vocab = file.Metadata.GetStringArray("tokenizer.ggml.tokens");
        Assert.Equal(512, vocab.Length);
        Assert.Equal(512, file.Metadata.GetFloat32Array("tokenizer.ggml.scores").Length);
        Assert.Equal(512, file.Metadata.GetInt32Array("tokenizer.ggml.token_type").Length);

        var embedding = file.GetTensor("token_embd.weight");
        Assert.Equal(new long[] { embd, 512 }, embedding.Dimensions);
        Assert.NotNull(file.FindTensor("output_norm.weight"));
        for (var i = 0; i < layers; i++)
        {
            foreach (var part in new[] { "attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down" })
            {
                var tensor = file.GetTensor($"blk.{i}.{part}.weight");
                Assert.Equal(tensor.ByteSize, file.GetTensorBytes(tensor).Length);
            }

            Assert.Equal(new long[] { ff, embd }, file.GetTensor($"blk.{i}.ffn_down.weight").Dimensions);
        }

        Assert.Equal(layers * 9 + 2 + (file.FindTensor("output.weight") is null ? 0 : 1), file.Tensors.Count);
        Assert.True(file.Tensors[^1].DataOffset + file.Tensors[^1].ByteSize <= file.FileSize);
    }

    [Fact]
    public void Open_RandomSmallF32_HasDocumentedShape()
    {
        using var file = GgufFile.Open(Fixtures.PathOf("models/random-small-f32.gguf"));

        Assert.Equal(3u, file.Version);
        Assert.Equal(256u, file.Metadata.GetUInt32("llama.embedding_length"));
        Assert.Equal(768u, file.Metadata.GetUInt32("llama.feed_forward_length"));
        Assert.Equal(2u, file.Metadata.GetUInt32("llama.block_count"));
        Assert.Equal(4u, file.Metadata.GetUInt32("llama.attention.head_count"));
        Assert.Equal(2u, file.Metadata.GetUInt32("llama.attention.head_count_kv"));
        Assert.Equal(256u, file.Metadata.GetUInt32("llama.context_length"));
        Assert.Equal(500000f, file.Metadata.GetFloat32("llama.rope.freq_base"));
        Assert.Null(file.FindTensor("output.weight"));
        Assert.All(file.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
        Assert.Equal(0, file.DataSectionOffset % file.Alignment);
    }

    [Fact]
    public void Open_RandomSmallQ4KM_MixesQ4KAndQ6K()
    {
        using var file = GgufFile.Open(Fixtures.PathOf("models/random-small-q4_k_m.gguf"));

        Assert.Equal(GgmlType.Q6_K, file.GetTensor("token_embd.weight").Type);
        Assert.Equal(GgmlType.Q4_K, file.GetTensor("blk.0.attn_q.weight").Type);
        Assert.Equal(GgmlType.F32, file.GetTensor("blk.0.attn_norm.weight").Type);
        Assert.Equal(256L / 256 * 144 * 256, file.GetTensor("blk.0.attn_q.weight").ByteSize);
    }

    [Theory]
    [InlineData("ggml-vocab-gpt-2.gguf", "gpt2", 50257)]
    [InlineData("ggml-vocab-llama-spm.gguf", "llama", 32000)]
    [InlineData("ggml-vocab-phi-3.gguf", "llama", 32064)]
    public void Open_VocabularyFixture_ReadsTokenizer(string name, string model, int tokens)
    {
        using var file = GgufFile.Open(Fixtures.PathOf($"vocab/{name}"));

        Assert.Equal(model, file.Metadata.GetString("tokenizer.ggml.model"));
        Assert.Equal(tokens, file.Metadata.GetStringArray("tokenizer.ggml.tokens").Length);
        Assert.Equal(tokens, file.Metadata.GetInt32Array("tokenizer.ggml.token_type").Length);
        Assert.Empty(file.Tensors);
        if (model == "gpt2")
        {
            Assert.Equal(50000, file.Metadata.GetStringArray("tokenizer.ggml.merges").Length);
        }
    }

    [Fact]
    public void GetTensorBytes_Fixture_EqualsFileBytesAtDataOffset()
    {
        var path = Fixtures.PathOf("models/stories260K-plctlab-q8_0.gguf");
        var raw = File.ReadAllBytes(path);
        using var file = GgufFile.Open(path);

        foreach (var tensor in file.Tensors)
        {
            Assert.True(raw.AsSpan((int)tensor.DataOffset, (int)tensor.ByteSize).SequenceEqual(file.GetTensorBytes(tensor)), tensor.Name);
        }

        Assert.Equal(raw.Length, file.FileSize);
    }
}
