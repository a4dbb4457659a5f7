namespace HybridAI.Llama;

/// <summary>
/// Splits text (as code points) into the words that byte-level BPE merges within, following llama.cpp's
/// <c>unicode_regex_split</c>: the GPT-2 and Llama 3 regexes as hand-written scanners (llama.cpp's
/// <c>unicode_regex_split_custom_gpt2</c> / <c>_llama3</c>, quirks included), and the "default" chain of regexes as
/// successive passes that each cut the previous pieces further. No <see cref="System.Text.RegularExpressions"/>:
/// .NET's regex classes do not match llama.cpp's exactly.
/// </summary>
/// <remarks>Stateless and thread-safe; the caller owns the lists.</remarks>
internal static class BytePairPreTokenizer
{
    /// <summary>
    /// Splits <paramref name="codepoints"/> and appends the length (in code points) of each word, in order, to
    /// <paramref name="words"/>. <paramref name="scratch"/> is working space.
    /// </summary>
    public static void Split(PreTokenizerKind kind, ReadOnlySpan<int> codepoints, List<int> words, List<int> scratch)
    {
        words.Clear();
        if (codepoints.IsEmpty)
        {
            return;
        }

        switch (kind)
        {
            case PreTokenizerKind.Gpt2:
                SplitGpt2(codepoints, 0, codepoints.Length, words);
                break;
            case PreTokenizerKind.Llama3:
                SplitLlama3(codepoints, 0, codepoints.Length, maxDigits: 3, words);
                break;
            case PreTokenizerKind.Qwen2:
                // llama.cpp runs qwen2's regex through std::regex on a category-collapsed copy of the text; its regex
                // differs from Llama 3's only by \p{N} instead of \p{N}{1,3}, and that scanner matches the same.
                SplitLlama3(codepoints, 0, codepoints.Length, maxDigits: 1, words);
                break;
            case PreTokenizerKind.Default:
                SplitDefault(codepoints, words, scratch);
                break;
            default:
                words.Add(codepoints.Length);
                break;
        }
    }

    // "[\p{P}\$\+<=>\^~\|]+", then the GPT-2 regex, then "\p{N}+", then "[0-9][0-9][0-9]".
    private static void SplitDefault(ReadOnlySpan<int> cpts, List<int> words, List<int> scratch)
    {
        scratch.Clear();
        scratch.Add(cpts.Length);
        SplitByRuns(cpts, scratch, words, IsDefaultPunctuation);

        scratch.Clear();
        var start = 0;
        foreach (var length in words)
        {
            SplitGpt2(cpts, start, start + length, scratch);
            start += length;
        }

        SplitByRuns(cpts, scratch, words, IsCollapsedNumber);
        scratch.Clear();
        scratch.AddRange(words);
        SplitByDigitTriples(cpts, scratch, words);
    }

    // The collapsed form of [\p{P}\$\+<=>\^~\|]: ASCII keeps llama.cpp's explicit list (every ASCII punctuation or
    // symbol except the backtick); other code points count when their category is P and they are not whitespace.
    private static bool IsDefaultPunctuation(int cp)
    {
        if (cp < 0x80)
        {
            return cp is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '_') or (>= '{' and <= '~');
        }

        return !CodepointClass.IsWhitespace(cp) && CodepointClass.IsPunctuation(cp);
    }

    private static bool IsCollapsedNumber(int cp) =>
        cp < 0x80 ? (uint)(cp - '0') <= 9 : !CodepointClass.IsWhitespace(cp) && CodepointClass.IsNumber(cp);

    // One std::regex pass of "[class]+": within each piece, every maximal run of the class and every gap between runs
    // becomes its own piece.
    private static void SplitByRuns(ReadOnlySpan<int> cpts, List<int> pieces, List<int> output, Func<int, bool> inClass)
    {
        output.Clear();
        var start = 0;
        foreach (var length in pieces)
        {
            var end = start + length;
            var pos = start;
            var gapStart = start;
            while (pos < end)
            {
                if (!inClass(cpts[pos]))
                {
                    pos++;
                    continue;
                }

                var runStart = pos;
                while (pos < end && inClass(cpts[pos]))
                {
                    pos++;
                }

                if (runStart > gapStart)
                {
                    output.Add(runStart - gapStart);
                }

                output.Add(pos - runStart);
                gapStart = pos;
            }

            if (end > gapStart)
            {
                output.Add(end - gapStart);
            }

            start = end;
        }
    }

    // "[0-9][0-9][0-9]": left-to-right, non-overlapping triples of ASCII digits.
    private static void SplitByDigitTriples(ReadOnlySpan<int> cpts, List<int> pieces, List<int> output)
    {
        output.Clear();
        var start = 0;
        foreach (var length in pieces)
        {
            var end = start + length;
            var pos = start;
            var gapStart = start;
            while (pos + 3 <= end)
            {
                if (IsAsciiDigit(cpts[pos]) && IsAsciiDigit(cpts[pos + 1]) && IsAsciiDigit(cpts[pos + 2]))
                {
                    if (pos > gapStart)
                    {
                        output.Add(pos - gapStart);
                    }

                    output.Add(3);
                    pos += 3;
                    gapStart = pos;
                }
                else
                {
                    pos++;
                }
            }

            if (end > gapStart)
            {
                output.Add(end - gapStart);
            }

            start = end;
        }
    }

    private static bool IsAsciiDigit(int cp) => (uint)(cp - '0') <= 9;

    // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    private static void SplitGpt2(ReadOnlySpan<int> cpts, int ini, int end, List<int> words)
    {
        var s = new Segment(cpts, ini, end);
        var prevEnd = ini;
        var pos = ini;
        while (pos < end)
        {
            var cpt = cpts[pos];

            if (cpt == '\'' && pos + 1 < end)
            {
                var next = cpts[pos + 1];
                if (next is 's' or 't' or 'm' or 'd')
                {
                    pos = AddWord(words, ref prevEnd, pos + 2);
                    continue;
                }

                if (pos + 2 < end)
                {
                    var nextNext = cpts[pos + 2];
                    if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l'))
                    {
                        pos = AddWord(words, ref prevEnd, pos + 3);
                        continue;
                    }
                }
            }

            var p2 = cpt == ' ' ? pos + 1 : pos;

            // <space>?\p{L}+
            if (s.IsLetter(p2))
            {
                pos = p2;
                while (s.IsLetter(pos))
                {
                    pos++;
                }

                AddWord(words, ref prevEnd, pos);
                continue;
            }

            // <space>?\p{N}+
            if (s.IsNumber(p2))
            {
                pos = p2;
                while (s.IsNumber(pos))
                {
                    pos++;
                }

                AddWord(words, ref prevEnd, pos);
                continue;
            }

            // <space>?[^\s\p{L}\p{N}]+
            if (s.IsOther(p2))
            {
                pos = p2;
                while (s.IsOther(pos))
                {
                    pos++;
                }

                AddWord(words, ref prevEnd, pos);
                continue;
            }

            var whitespaces = 0;
            while (s.IsWhitespace(pos + whitespaces))
            {
                whitespaces++;
            }

            // \s+(?!\S)
            if (whitespaces > 1 && pos + whitespaces < end)
            {
                pos = AddWord(words, ref prevEnd, pos + whitespaces - 1);
                continue;
            }

            // \s+
            if (whitespaces > 0)
            {
                pos = AddWord(words, ref prevEnd, pos + whitespaces);
                continue;
            }

            pos = AddWord(words, ref prevEnd, pos + 1);
        }
    }

    // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    private static void SplitLlama3(ReadOnlySpan<int> cpts, int ini, int end, int maxDigits, List<int> words)
    {
        var s = new Segment(cpts, ini, end);
        var prevEnd = ini;
        var pos = ini;
        while (pos < end)
        {
            var cpt = cpts[pos];

            if (cpt == '\'' && pos + 1 < end)
            {
                var next = AsciiLower(cpts[pos + 1]);
                if (next is 's' or 't' or 'm' or 'd')
                {
                    pos = AddWord(words, ref prevEnd, pos + 2);
                    continue;
                }

                if (pos + 2 < end)
                {
                    var nextNext = AsciiLower(cpts[pos + 2]);
                    if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l'))
                    {
                        pos = AddWord(words, ref prevEnd, pos + 3);
                        continue;
                    }
                }
            }

            // [^\r\n\p{L}\p{N}]?\p{L}+
            var isNumber = CodepointClass.IsNumber(cpt);
            if (!(cpt == '\r' || cpt == '\n' || isNumber) && (CodepointClass.IsLetter(cpt) || s.IsLetter(pos + 1)))
            {
                pos++;
                while (s.IsLetter(pos))
                {
                    pos++;
                }

                AddWord(words, ref prevEnd, pos);
                continue;
            }

            // \p{N}{1,maxDigits}
            if (isNumber)
            {
                var groupStart = pos;
                while (s.IsNumber(pos))
                {
                    if (++pos - groupStart >= maxDigits)
                    {
                        AddWord(words, ref prevEnd, pos);
                        groupStart = pos;
                    }
                }

                AddWord(words, ref prevEnd, pos);
                continue;
            }

            // <space>?[^\s\p{L}\p{N}]+[\r\n]*  (llama.cpp tests the first code point for "defined", not the one after
            // the space, so a lone trailing space is taken here)
            var p2 = cpt == ' ' ? pos + 1 : pos;
            if (!(s.IsWhitespace(p2) || s.IsLetter(p2) || s.IsNumber(p2)))
            {
                pos = p2;
                while (s.IsOther(pos))
                {
                    pos++;
                }

                while (s.Codepoint(pos) is '\r' or '\n')
                {
                    pos++;
                }

                AddWord(words, ref prevEnd, pos);
                continue;
            }

            var whitespaces = 0;
            var lastLineEnd = 0;
            while (s.IsWhitespace(pos + whitespaces))
            {
                if (cpts[pos + whitespaces] is '\r' or '\n')
                {
                    lastLineEnd = pos + whitespaces + 1;
                }

                whitespaces++;
            }

            // \s*[\r\n]+
            if (lastLineEnd > 0)
            {
                pos = AddWord(words, ref prevEnd, lastLineEnd);
                continue;
            }

            // \s+(?!\S)
            if (whitespaces > 1 && pos + whitespaces < end)
            {
                pos = AddWord(words, ref prevEnd, pos + whitespaces - 1);
                continue;
            }

            // \s+
            if (whitespaces > 0)
            {
                pos = AddWord(words, ref prevEnd, pos + whitespaces);
                continue;
            }

            pos = AddWord(words, ref prevEnd, pos + 1);
        }
    }

    private static int AsciiLower(int cp) => (uint)(cp - 'A') <= 'Z' - 'A' ? cp | 0x20 : cp;

    // Ends the current word at 'end' (empty words are dropped) and returns 'end'.
    private static int AddWord(List<int> words, ref int prevEnd, int end)
    {
        if (end > prevEnd)
        {
            words.Add(end - prevEnd);
        }

        prevEnd = end;
        return end;
    }

    // The code points of one piece; positions outside it read as "no code point" (llama.cpp's OUT_OF_RANGE).
    private readonly ref struct Segment(ReadOnlySpan<int> cpts, int ini, int end)
    {
        private readonly ReadOnlySpan<int> _cpts = cpts;

        public int Codepoint(int pos) => pos >= ini && pos < end ? _cpts[pos] : CodepointClass.OutOfRange;

        public bool IsLetter(int pos) => pos >= ini && pos < end && CodepointClass.IsLetter(_cpts[pos]);

        public bool IsNumber(int pos) => pos >= ini && pos < end && CodepointClass.IsNumber(_cpts[pos]);

        public bool IsWhitespace(int pos) => pos >= ini && pos < end && CodepointClass.IsWhitespace(_cpts[pos]);

        // [^\s\p{L}\p{N}] on a position inside the piece.
        public bool IsOther(int pos)
        {
            if (pos < ini || pos >= end)
            {
                return false;
            }

            var cp = _cpts[pos];
            return !(CodepointClass.IsWhitespace(cp) || CodepointClass.IsLetter(cp) || CodepointClass.IsNumber(cp));
        }
    }
}
