namespace HybridAI.Llama;

internal sealed partial class LlamaTokenizer
{
    private static ReadOnlySpan<byte> EscapedSpace => "\u2581"u8;

    private void EncodeSentencePiece(EncodeScratch scratch, List<int> output, bool addSpecial)
    {
        // Like SentencePiece itself: encode("") with add_special gives [BOS]; a space goes in front of the text and
        // after every special token.
        var previousIsSpecial = true;
        if (addSpecial && AddBos)
        {
            output.Add(RequireSpecial(BosId, "BOS"));
        }

        foreach (var fragment in scratch.Fragments)
        {
            if (!fragment.IsText)
            {
                output.Add(fragment.Token);
                previousIsSpecial = true;
                continue;
            }

            var text = scratch.Input.AsSpan(fragment.Start, fragment.Length);
            var addSpace = _addSpacePrefix && previousIsSpecial;
            var spaces = text.Count((byte)' ') + (addSpace ? 1 : 0);
            var length = text.Length + (addSpace ? 1 : 0) + (2 * spaces);
            EncodeScratch.Ensure(ref scratch.Piece, length);

            // Escape whitespace: ' ' -> U+2581.
            var piece = scratch.Piece.AsSpan(0, length);
            var at = 0;
            if (addSpace)
            {
                EscapedSpace.CopyTo(piece);
                at = 3;
            }

            foreach (var b in text)
            {
                if (b == (byte)' ')
                {
                    EscapedSpace.CopyTo(piece[at..]);
                    at += 3;
                }
                else
                {
                    piece[at++] = b;
                }
            }

            MergeSentencePiece(scratch, length, output);
            previousIsSpecial = false;
        }

        if (addSpecial && AddEos)
        {
            output.Add(RequireSpecial(EosId, "EOS"));
        }
    }

    // llm_tokenizer_spm_session::tokenize: start from UTF-8 characters, repeatedly merge the adjacent pair whose
    // concatenation is the highest-scoring token (leftmost on ties), then emit tokens, or bytes for leftovers.
    private void MergeSentencePiece(EncodeScratch scratch, int length, List<int> output)
    {
        var text = scratch.Piece.AsSpan(0, length);
        EncodeScratch.Ensure(ref scratch.Symbols, length);
        var symbols = scratch.Symbols;
        var count = 0;
        for (var offset = 0; offset < length;)
        {
            var n = Math.Min(Utf8SequenceLength(text[offset]), length - offset);
            symbols[count] = new MergeSymbol { Prev = count - 1, Start = offset, Length = n, TextId = -1 };
            offset += n;
            symbols[count].Next = offset == length ? -1 : count + 1;
            count++;
        }

        if (count == 0)
        {
            return;
        }

        var queue = scratch.Queue;
        queue.Clear();
        for (var i = 1; i < count; i++)
        {
            TryAddSentencePieceBigram(text, symbols, queue, i - 1, i);
        }

        while (queue.Count > 0)
        {
            var bigram = queue.Pop();
            ref var left = ref symbols[bigram.Left];
            ref var right = ref symbols[bigram.Right];

            // One side was merged already: the pair is stale.
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != bigram.Size)
            {
                continue;
            }

            left.Length += right.Length;
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0)
            {
                symbols[right.Next].Prev = bigram.Left;
            }

            TryAddSentencePieceBigram(text, symbols, queue, left.Prev, bigram.Left);
            TryAddSentencePieceBigram(text, symbols, queue, bigram.Left, left.Next);
        }

        for (var i = 0; i != -1; i = symbols[i].Next)
        {
            var piece = text.Slice(symbols[i].Start, symbols[i].Length);
            var id = _texts.Find(piece);
            if ((uint)id < (uint)_tokens.Length)
            {
                output.Add(id);
                continue;
            }

            // Only single characters can fail to be tokens (every merge makes a token): fall back to their bytes.
            foreach (var b in piece)
            {
                var byteToken = _byteTokens[b];
                if (byteToken >= 0)
                {
                    output.Add(byteToken);
                }
                else if (UnknownId is int unknown)
                {
                    output.Add(unknown);
                }
            }
        }
    }

    private void TryAddSentencePieceBigram(ReadOnlySpan<byte> text, MergeSymbol[] symbols, BigramQueue queue, int left, int right)
    {
        if (left == -1 || right == -1)
        {
            return;
        }

        var size = symbols[left].Length + symbols[right].Length;
        var id = _texts.Find(text.Slice(symbols[left].Start, size));
        if ((uint)id >= (uint)_tokens.Length)
        {
            return;
        }

        queue.Push(new Bigram(_scores[id], left, right, size));
    }

    // llama.cpp's unicode_len_utf8: the sequence length announced by a lead byte (continuation bytes count as 1).
    private static int Utf8SequenceLength(byte lead) => (lead >> 4) switch
    {
        < 0xC => 1,
        0xC or 0xD => 2,
        0xE => 3,
        _ => 4,
    };

    private static int RequireSpecial(int id, string name) =>
        id >= 0 ? id : throw new InvalidOperationException($"The vocabulary asks for a {name} token but defines none.");
}
