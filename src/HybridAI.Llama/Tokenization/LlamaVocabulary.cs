namespace HybridAI.Llama;

/// <summary>
/// What a model file says about its tokenizer (the <c>tokenizer.ggml.*</c> metadata), before llama.cpp's defaults are
/// applied. <see cref="LlamaTokenizer"/> resolves the defaults; tests build small vocabularies with this directly.
/// </summary>
/// <remarks>A plain description; the tokenizer copies what it needs, so later changes have no effect on it.</remarks>
internal sealed class LlamaVocabulary
{
    /// <summary>Gets the tokenizer model: <c>"llama"</c> (SentencePiece) or <c>"gpt2"</c> (byte-level BPE).</summary>
    public required string Model { get; init; }

    /// <summary>Gets the pre-tokenizer name (<c>tokenizer.ggml.pre</c>) for BPE; null or empty means "default".</summary>
    public string? PreTokenizer { get; init; }

    /// <summary>Gets the token texts, by id.</summary>
    public required IReadOnlyList<string> Tokens { get; init; }

    /// <summary>Gets the token scores (SentencePiece merge priorities), by id; null means all zero.</summary>
    public IReadOnlyList<float>? Scores { get; init; }

    /// <summary>Gets the token types (<see cref="LlamaTokenType"/> values), by id; null means all normal.</summary>
    public IReadOnlyList<int>? TokenTypes { get; init; }

    /// <summary>Gets the BPE merges, <c>"left right"</c>, highest priority first.</summary>
    public IReadOnlyList<string>? Merges { get; init; }

    /// <summary>Gets the model's name (<c>general.name</c>); llama.cpp keys a few per-model token rules on it.</summary>
    public string? ModelName { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.bos_token_id</c>, when present.</summary>
    public long? BosId { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.eos_token_id</c>, when present.</summary>
    public long? EosId { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.eot_token_id</c>, when present.</summary>
    public long? EotId { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.eom_token_id</c>, when present.</summary>
    public long? EomId { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.unknown_token_id</c>, when present.</summary>
    public long? UnknownId { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.seperator_token_id</c> (llama.cpp's spelling), when present.</summary>
    public long? SeparatorId { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.padding_token_id</c>, when present.</summary>
    public long? PaddingId { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.fim_pad_token_id</c>, when present.</summary>
    public long? FimPadId { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.fim_rep_token_id</c>, when present.</summary>
    public long? FimRepId { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.fim_sep_token_id</c>, when present.</summary>
    public long? FimSepId { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.add_bos_token</c>, when present.</summary>
    public bool? AddBos { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.add_eos_token</c>, when present.</summary>
    public bool? AddEos { get; init; }

    /// <summary>Gets <c>tokenizer.ggml.add_space_prefix</c>, when present.</summary>
    public bool? AddSpacePrefix { get; init; }
}
