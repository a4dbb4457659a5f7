namespace HybridAI.Llama.Tests.Inference;

/// <summary>A file the engine cannot run is refused at load, with a message naming what is wrong, before any work starts.</summary>
public sealed class LlamaModelLoadTests
{
    [Fact]
    public void Load_ValidModel_DescribesIt()
    {
        using var file = new TestModelBuilder { BlockCount = 2, HeadCount = 4, HeadCountKv = 2, TiedOutput = true }.Build();

        using var model = LlamaModel.Load(file.Path);

        Assert.Equal("llama", model.Info.Architecture);
        Assert.Equal(2, model.Info.BlockCount);
        Assert.Equal(2, model.Info.HeadCountKv);
        Assert.Equal(new FileInfo(file.Path).Length, model.Info.FileSize);
    }

    /// <summary>
    /// In a Q4_0 file, the matrices that feed products are repacked views whose scales were checked (all normal here, so the
    /// kernels widen them the short way); token_embd, read row by row, is a plain view and is not checked (the check would
    /// page in the whole table), and a tied output head multiplies that plain view, as llama.cpp does.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Load_Q4_0_RepacksAndChecksOnlyTheMatricesThatFeedProducts(bool tied)
    {
        using var file = new TestModelBuilder { TiedOutput = tied, VocabSize = 304 }.WithAllMatrices(GgmlType.Q4_0).Build();

        using var model = LlamaModel.Load(file.Path);

        var weights = model.Weights;
        Assert.Equal(GgmlType.Q4_0, weights.TokenEmbedding.Type);
        Assert.False(weights.TokenEmbedding.RepackedByLlamaCpp);
        Assert.False(weights.TokenEmbedding.ScalesNormalOrZero);
        Assert.Equal(!tied, weights.Output.RepackedByLlamaCpp);
        Assert.Equal(!tied && VecDot.IsSimdSupported, weights.Output.ScalesNormalOrZero);
        foreach (var layer in weights.Layers)
        {
            Assert.True(layer.Query.RepackedByLlamaCpp);
            Assert.Equal(VecDot.IsSimdSupported, layer.Query.ScalesNormalOrZero); // checked only where a kernel uses it
            Assert.Equal(VecDot.IsSimdSupported, layer.Down.ScalesNormalOrZero);
        }
    }

    [Fact]
    public void Load_OtherArchitecture_RefusedNamingIt()
    {
        using var file = Rewrite(new TestModelBuilder(), (key, value) => key == "general.architecture"
            ? new GgufValue(GgufValueType.String, "gpt2")
            : value);

        var error = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(file.Path));

        Assert.Equal("general.architecture", error.Field);
        Assert.Contains("'gpt2' is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsupportedTensorType_RefusedNamingTheTensor()
    {
        using var source = new TestModelBuilder().WithAllMatrices(GgmlType.F16).Build();
        using var file = new TemporaryFile();
        using (var gguf = GgufFile.Open(source.Path))
        {
            var writer = new GgufWriter();
            foreach (var (key, value) in gguf.Metadata)
            {
                writer.Add(key, value);
            }

            foreach (var tensor in gguf.Tensors)
            {
                // Q5_1 has a known layout but no kernel here: the reader accepts it, the engine must refuse it.
                var type = tensor.Name == "blk.1.ffn_up.weight" ? GgmlType.Q5_1 : tensor.Type;
                var bytes = new byte[GgmlTypeInfo.RowBytes(type, tensor.Dimensions[0]) * (tensor.ElementCount / tensor.Dimensions[0])];
                writer.AddTensor(tensor.Name, type, tensor.Dimensions, bytes);
            }

            writer.WriteTo(file.Path);
        }

        var error = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(file.Path));

        Assert.Equal("blk.1.ffn_up.weight", error.Field);
        Assert.Contains("Q5_1 is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingTensor_RefusedNamingIt()
    {
        using var source = new TestModelBuilder().Build();
        using var file = new TemporaryFile();
        using (var gguf = GgufFile.Open(source.Path))
        {
            var writer = new GgufWriter();
            foreach (var (key, value) in gguf.Metadata)
            {
                writer.Add(key, value);
            }

            foreach (var tensor in gguf.Tensors.Where(t => t.Name != "blk.0.attn_k.weight"))
            {
                writer.AddTensor(tensor.Name, tensor.Type, tensor.Dimensions, gguf.GetTensorBytes(tensor).ToArray());
            }

            writer.WriteTo(file.Path);
        }

        var error = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(file.Path));

        Assert.Contains("blk.0.attn_k.weight", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingRequiredKey_RefusedNamingIt()
    {
        using var file = Rewrite(new TestModelBuilder(), (key, value) => key == "llama.attention.layer_norm_rms_epsilon" ? null : value);

        var error = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(file.Path));

        Assert.Contains("llama.attention.layer_norm_rms_epsilon", error.Message, StringComparison.Ordinal);
    }

    private static TemporaryFile Rewrite(TestModelBuilder builder, Func<string, GgufValue, GgufValue?> metadata)
    {
        using var source = builder.Build();
        var file = new TemporaryFile();
        using var gguf = GgufFile.Open(source.Path);
        var writer = new GgufWriter();
        foreach (var (key, value) in gguf.Metadata)
        {
            if (metadata(key, value) is { } kept)
            {
                writer.Add(key, kept);
            }
        }

        foreach (var tensor in gguf.Tensors)
        {
            writer.AddTensor(tensor.Name, tensor.Type, tensor.Dimensions, gguf.GetTensorBytes(tensor).ToArray());
        }

        writer.WriteTo(file.Path);
        return file;
    }
}
