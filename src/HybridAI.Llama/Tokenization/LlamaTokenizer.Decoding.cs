using System.Buffers;
using System.Globalization;
using System.Text;

namespace HybridAI.Llama;

internal sealed partial class LlamaTokenizer
{
    /// <summary>
    /// Writes the bytes token <paramref name="id"/> stands for (llama.cpp's <c>llama_token_to_piece</c> with no
    /// stripping): <c>▁</c> becomes a space, byte tokens their byte, byte-level BPE text its bytes. Control and unknown
    /// tokens give nothing unless <paramref name="renderSpecial"/>; user-defined tokens always give their text.
    /// </summary>
    /// <returns>The number of bytes written, or minus the number needed when <paramref name="destination"/> is too small.</returns>
    public int GetPieceBytes(int id, Span<byte> destination, bool renderSpecial = false)
    {
        var piece = GetPiece(id, renderSpecial);
        if (piece.Length > destination.Length)
        {
            return -piece.Length;
        }

        piece.CopyTo(destination);
        return piece.Length;
    }

    /// <summary>Returns the bytes of <paramref name="id"/> as <see cref="GetPieceBytes"/> would write them (a view into the tokenizer's cache).</summary>
    public ReadOnlySpan<byte> GetPiece(int id, bool renderSpecial = false)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)id, (uint)_tokens.Length, nameof(id));
        if (!renderSpecial && (_attributes[id] & (LlamaTokenAttributes.Unknown | LlamaTokenAttributes.Control)) != 0)
        {
            return [];
        }

        return _pieces.AsSpan(_pieceStarts[id], _pieceStarts[id + 1] - _pieceStarts[id]);
    }

    /// <summary>
    /// Decodes <paramref name="ids"/> to text as llama.cpp's <c>llama_detokenize</c> (remove_special = false): the
    /// first token loses one leading space when the vocabulary adds a space prefix (a leading BOS takes that turn,
    /// so the text after it keeps its space), and byte-level BPE vocabularies undo the tokenizer's spacing around
    /// punctuation (<c>clean_up_tokenization_spaces</c>). Bytes that are not valid UTF-8 become U+FFFD.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool renderSpecial = false)
    {
        var total = 0;
        foreach (var id in ids)
        {
            total += GetPiece(id, renderSpecial).Length;
        }

        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
        try
        {
            var text = rented.AsSpan();
            var length = 0;
            var removeSpace = _addSpacePrefix;
            foreach (var id in ids)
            {
                var piece = GetPiece(id, renderSpecial);
                if (removeSpace && !piece.IsEmpty && piece[0] == (byte)' ')
                {
                    piece = piece[1..];
                }

                removeSpace = false;
                piece.CopyTo(text[length..]);
                length += piece.Length;
            }

            if (_cleanSpaces)
            {
                length = CleanUpSpaces(text[..length]);
            }

            return Encoding.UTF8.GetString(text[..length]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // llama.cpp's three in-place passes for clean_spaces, kept literal (including where a removed space is overwritten
    // with NUL and later reads see it), so the output matches byte for byte.
    private static int CleanUpSpaces(Span<byte> text)
    {
        // " ?", " !", " .", " ,"
        var total1 = text.Length;
        var total = total1 > 0 ? 1 : 0;
        for (var i = 1; i < total1; i++)
        {
            var x = text[i];
            if (text[i - 1] == ' ' && x is (byte)'?' or (byte)'!' or (byte)'.' or (byte)',')
            {
                total--;
            }

            text[total++] = x;
        }

        // " ' "
        var total2 = total;
        total = total > 0 ? 1 : 0;
        for (var i = 1; i < total2; i++)
        {
            var x = text[i];
            if (x == '\'' && i + 1 < total2 && text[i - 1] == ' ' && text[i + 1] == ' ')
            {
                total--;
                text[++i] = 0;
            }

            text[total++] = x;
        }

        // " 's", " 'm", " 're", " 've"
        var total3 = total;
        total = total > 0 ? 1 : 0;
        for (var i = 1; i < total3; i++)
        {
            var x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < total3)
            {
                var x1 = text[i + 1];
                if (x1 is (byte)'s' or (byte)'m')
                {
                    total--;
                }
                else if (x1 is not ((byte)'t' or (byte)'d') && i + 2 < total3)
                {
                    var x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e'))
                    {
                        total--;
                    }
                }
            }

            text[total++] = x;
        }

        return total;
    }

    // token_to_piece(special = true) for every token, once.
    private (byte[] Pieces, int[] Starts) BuildPieces()
    {
        var n = _tokens.Length;
        var starts = new int[n + 1];
        var buffer = new ArrayBufferWriter<byte>(n * 6);
        for (var id = 0; id < n; id++)
        {
            starts[id] = buffer.WrittenCount;
            WritePiece(id, buffer);
        }

        starts[n] = buffer.WrittenCount;
        return (buffer.WrittenSpan.ToArray(), starts);
    }

    private void WritePiece(int id, ArrayBufferWriter<byte> output)
    {
        var attributes = _attributes[id];
        var text = _texts[id];
        if ((attributes & (LlamaTokenAttributes.Unknown | LlamaTokenAttributes.Control | LlamaTokenAttributes.UserDefined)) != 0)
        {
            output.Write(text);
            return;
        }

        if (_isBytePair)
        {
            if ((attributes & LlamaTokenAttributes.Normal) != 0)
            {
                WriteByteLevelDecoded(id, text, output);
            }

            return;
        }

        if ((attributes & LlamaTokenAttributes.Normal) != 0)
        {
            // ▁ -> ' '
            while (!text.IsEmpty)
            {
                var at = text.IndexOf(EscapedSpace);
                if (at < 0)
                {
                    output.Write(text);
                    break;
                }

                output.Write(text[..at]);
                output.Write(" "u8);
                text = text[(at + 3)..];
            }
        }
        else if ((attributes & LlamaTokenAttributes.Byte) != 0 && text.Length >= 5
            && byte.TryParse(Encoding.ASCII.GetString(text.Slice(3, 2)), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
        {
            output.Write([value]);
        }
    }

    // llama_decode_text: each code point of the token is one byte of the byte-level alphabet.
    private void WriteByteLevelDecoded(int id, ReadOnlySpan<byte> text, ArrayBufferWriter<byte> output)
    {
        var rest = text;
        while (!rest.IsEmpty)
        {
            Rune.DecodeFromUtf8(rest, out var rune, out var consumed);
            var b = ByteLevelAlphabet.ByteOf(rune.Value);
            if (b >= 0)
            {
                output.Write([(byte)b]);
            }
            else
            {
                // llama.cpp writes a marker with the code point's bytes followed by the whole token text.
                output.Write("[UNK_BYTE_0x"u8);
                foreach (var c in rest[..consumed])
                {
                    output.Write(Encoding.ASCII.GetBytes(c.ToString("x2", CultureInfo.InvariantCulture)));
                }

                output.Write(Encoding.UTF8.GetBytes(_tokens[id]));
                output.Write("]"u8);
            }

            rest = rest[consumed..];
        }
    }
}
