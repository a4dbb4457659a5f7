using System.Text;

namespace HybridAI.Llama;

internal sealed partial class LlamaTokenizer
{
    private void EncodeBytePair(EncodeScratch scratch, List<int> output, bool addSpecial)
    {
        if (addSpecial && AddBos)
        {
            output.Add(RequireSpecial(BosId, "BOS"));
        }

        foreach (var fragment in scratch.Fragments)
        {
            if (fragment.IsText)
            {
                EncodeBytePairFragment(scratch, scratch.Input.AsSpan(fragment.Start, fragment.Length), output);
            }
            else
            {
                output.Add(fragment.Token);
            }
        }

        if (addSpecial && AddEos)
        {
            output.Add(RequireSpecial(EosId, "EOS"));
        }
    }

    private void EncodeBytePairFragment(EncodeScratch scratch, ReadOnlySpan<byte> utf8, List<int> output)
    {
        // The input came from UTF-16, so it is valid UTF-8 (lone surrogates became U+FFFD).
        EncodeScratch.Ensure(ref scratch.Codepoints, utf8.Length);
        var codepoints = scratch.Codepoints;
        var count = 0;
        while (!utf8.IsEmpty)
        {
            Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            codepoints[count++] = rune.Value;
            utf8 = utf8[consumed..];
        }

        var cpts = codepoints.AsSpan(0, count);
        BytePairPreTokenizer.Split(_preTokenizer, cpts, scratch.Words, scratch.SpareWords);

        Span<byte> utf8Rune = stackalloc byte[4];
        var start = 0;
        foreach (var wordLength in scratch.Words)
        {
            // Byte-level encoding: every UTF-8 byte of the word becomes its printable stand-in (1 or 2 bytes).
            var word = cpts.Slice(start, wordLength);
            start += wordLength;
            EncodeScratch.Ensure(ref scratch.Piece, wordLength * 8);
            var piece = scratch.Piece;
            var length = 0;
            foreach (var cp in word)
            {
                var n = new Rune(cp).EncodeToUtf8(utf8Rune);
                for (var i = 0; i < n; i++)
                {
                    length += ByteLevelAlphabet.WriteUtf8(utf8Rune[i], piece.AsSpan(length));
                }
            }

            MergeBytePairWord(scratch, length, output);
        }
    }

    // llm_tokenizer_bpe_session::tokenize for one word: start from characters, repeatedly merge the adjacent pair with
    // the lowest merge rank (leftmost on ties), then emit the tokens (or, for a piece that is no token, its single bytes).
    private void MergeBytePairWord(EncodeScratch scratch, int length, List<int> output)
    {
        var text = scratch.Piece.AsSpan(0, length);
        if (_ignoreMerges)
        {
            var whole = _texts.Find(text);
            if ((uint)whole < (uint)_tokens.Length)
            {
                output.Add(whole);
                return;
            }
        }

        EncodeScratch.Ensure(ref scratch.Symbols, length);
        var symbols = scratch.Symbols;
        var count = 0;
        for (var offset = 0; offset < length;)
        {
            var n = Math.Min(Utf8SequenceLength(text[offset]), length - offset);
            symbols[count] = new MergeSymbol
            {
                Prev = count - 1,
                Next = offset + n == length ? -1 : count + 1,
                Start = offset,
                Length = n,
                TextId = _texts.Find(text.Slice(offset, n)),
            };
            offset += n;
            count++;
        }

        var queue = scratch.Queue;
        queue.Clear();
        for (var i = 1; i < count; i++)
        {
            TryAddBytePairBigram(symbols, queue, i - 1, i);
        }

        while (queue.Count > 0)
        {
            var bigram = queue.Pop();
            ref var left = ref symbols[bigram.Left];
            ref var right = ref symbols[bigram.Right];
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != bigram.Size)
            {
                continue;
            }

            left.Length += right.Length;
            left.TextId = _texts.Find(text.Slice(left.Start, left.Length));
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0)
            {
                symbols[right.Next].Prev = bigram.Left;
            }

            TryAddBytePairBigram(symbols, queue, left.Prev, bigram.Left);
            TryAddBytePairBigram(symbols, queue, bigram.Left, left.Next);
        }

        for (var i = 0; i < count; i++)
        {
            ref var symbol = ref symbols[i];
            if (symbol.Length == 0)
            {
                continue;
            }

            if ((uint)symbol.TextId < (uint)_tokens.Length)
            {
                output.Add(symbol.TextId);
                continue;
            }

            foreach (var b in text.Slice(symbol.Start, symbol.Length))
            {
                var id = _texts.Find(new ReadOnlySpan<byte>(in b));
                if ((uint)id < (uint)_tokens.Length)
                {
                    output.Add(id);
                }
            }
        }
    }

    private void TryAddBytePairBigram(MergeSymbol[] symbols, BigramQueue queue, int left, int right)
    {
        if (left == -1 || right == -1)
        {
            return;
        }

        var leftId = symbols[left].TextId;
        var rightId = symbols[right].TextId;
        if (leftId < 0 || rightId < 0 || !_mergeRanks.TryGetValue(MergeKey(leftId, rightId), out var rank))
        {
            return;
        }

        queue.Push(new Bigram(-rank, left, right, symbols[left].Length + symbols[right].Length));
    }

    private static long MergeKey(int left, int right) => ((long)left << 32) | (uint)right;
}
