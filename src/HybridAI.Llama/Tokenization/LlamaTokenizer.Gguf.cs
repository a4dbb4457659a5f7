namespace HybridAI.Llama;

internal sealed partial class LlamaTokenizer
{
    /// <summary>Builds the tokenizer a GGUF file describes (its <c>tokenizer.ggml.*</c> metadata).</summary>
    /// <exception cref="ChatModelException">The tokenizer is missing or not supported.</exception>
    /// <exception cref="GgufFormatException">A tokenizer key has the wrong type.</exception>
    public static LlamaTokenizer FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new LlamaTokenizer(ReadVocabulary(file.Metadata));
    }

    /// <summary>Reads the tokenizer description from GGUF metadata.</summary>
    public static LlamaVocabulary ReadVocabulary(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        metadata.TryGetString("general.name", out var modelName);
        if (!metadata.TryGetString("tokenizer.ggml.model", out var model) || !metadata.TryGetStringArray("tokenizer.ggml.tokens", out var tokens))
        {
            throw new ChatModelException(ChatModelErrorKind.Unavailable, modelName, "The model file has no tokenizer (tokenizer.ggml.model / tokens).");
        }

        metadata.TryGetString("tokenizer.ggml.pre", out var pre);
        metadata.TryGetFloat32Array("tokenizer.ggml.scores", out var scores);
        metadata.TryGetInt32Array("tokenizer.ggml.token_type", out var types);
        metadata.TryGetStringArray("tokenizer.ggml.merges", out var merges);

        return new LlamaVocabulary
        {
            Model = model,
            PreTokenizer = pre,
            Tokens = tokens,
            Scores = scores,
            TokenTypes = types,
            Merges = merges,
            ModelName = modelName,
            BosId = Id(metadata, "tokenizer.ggml.bos_token_id"),
            EosId = Id(metadata, "tokenizer.ggml.eos_token_id"),
            EotId = Id(metadata, "tokenizer.ggml.eot_token_id"),
            EomId = Id(metadata, "tokenizer.ggml.eom_token_id"),
            UnknownId = Id(metadata, "tokenizer.ggml.unknown_token_id"),
            SeparatorId = Id(metadata, "tokenizer.ggml.seperator_token_id"),
            PaddingId = Id(metadata, "tokenizer.ggml.padding_token_id"),
            FimPadId = Id(metadata, "tokenizer.ggml.fim_pad_token_id"),
            FimRepId = Id(metadata, "tokenizer.ggml.fim_rep_token_id"),
            FimSepId = Id(metadata, "tokenizer.ggml.fim_sep_token_id"),
            AddBos = Flag(metadata, "tokenizer.ggml.add_bos_token"),
            AddEos = Flag(metadata, "tokenizer.ggml.add_eos_token"),
            AddSpacePrefix = Flag(metadata, "tokenizer.ggml.add_space_prefix"),
        };
    }

    // llama.cpp reads ids as uint32; out-of-range values (such as 0xFFFFFFFF for "none") keep the default, and so
    // does a negative value that some converters write for "none".
    private static long? Id(GgufMetadata metadata, string key)
    {
        try
        {
            return metadata.TryGetUInt64(key, out var value) ? (long)Math.Min(value, long.MaxValue) : null;
        }
        catch (GgufFormatException)
        {
            return null;
        }
    }

    private static bool? Flag(GgufMetadata metadata, string key) => metadata.TryGetBool(key, out var value) ? value : null;
}
