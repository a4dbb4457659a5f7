namespace HybridAI.Llama;

/// <summary>A candidate merge of two adjacent pieces, with its priority (SentencePiece score, or minus the BPE rank).</summary>
internal readonly record struct Bigram(float Priority, int Left, int Right, int Size);
