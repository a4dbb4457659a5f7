namespace HybridAI.Llama;

/// <summary>
/// GPT-2's byte-level alphabet: every byte maps to one printable code point (bytes that are printable Latin-1 map to
/// themselves, the others to U+0100 and up, in byte order), so BPE vocabularies hold only printable text.
/// </summary>
/// <remarks>Immutable tables; thread-safe.</remarks>
internal static class ByteLevelAlphabet
{
    // byte -> code point, and code point (< 0x144) -> byte or -1.
    private static readonly ushort[] s_byteToCodepoint = BuildByteToCodepoint();
    private static readonly short[] s_codepointToByte = BuildCodepointToByte();

    /// <summary>The code point that stands for <paramref name="value"/>.</summary>
    public static int CodepointOf(byte value) => s_byteToCodepoint[value];

    /// <summary>The byte that <paramref name="codepoint"/> stands for, or -1 when it is not in the alphabet.</summary>
    public static int ByteOf(int codepoint) =>
        (uint)codepoint < (uint)s_codepointToByte.Length ? s_codepointToByte[codepoint] : -1;

    /// <summary>Writes the UTF-8 form of the code point standing for <paramref name="value"/>; returns 1 or 2.</summary>
    public static int WriteUtf8(byte value, Span<byte> destination)
    {
        int cp = s_byteToCodepoint[value];
        if (cp < 0x80)
        {
            destination[0] = (byte)cp;
            return 1;
        }

        // Every code point of the alphabet is below U+0800, so two bytes suffice.
        destination[0] = (byte)(0xC0 | (cp >> 6));
        destination[1] = (byte)(0x80 | (cp & 0x3F));
        return 2;
    }

    private static bool IsPrintable(int b) => (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);

    private static ushort[] BuildByteToCodepoint()
    {
        var map = new ushort[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            map[b] = (ushort)(IsPrintable(b) ? b : next++);
        }

        return map;
    }

    private static short[] BuildCodepointToByte()
    {
        var forward = BuildByteToCodepoint();
        var reverse = new short[0x144];
        reverse.AsSpan().Fill(-1);
        for (var b = 0; b < 256; b++)
        {
            reverse[forward[b]] = (short)b;
        }

        return reverse;
    }
}
