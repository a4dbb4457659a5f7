using System.Globalization;
using System.Runtime.CompilerServices;

namespace HybridAI.Llama;

/// <summary>
/// The Unicode facts the pre-tokenizers ask about a code point, as llama.cpp's unicode tables define them:
/// <c>\p{L}</c>, <c>\p{N}</c>, <c>\p{P}</c> by general category and <c>\s</c> as the White_Space property.
/// </summary>
/// <remarks>Stateless and thread-safe. Categories come from <see cref="CharUnicodeInfo"/>, which needs no ICU.</remarks>
internal static class CodepointClass
{
    /// <summary>The value the split routines use for a position outside the current segment.</summary>
    public const int OutOfRange = -1;

    /// <summary>Whether <paramref name="codepoint"/> is a letter (<c>\p{L}</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLetter(int codepoint)
    {
        if (codepoint < 0x80)
        {
            return (uint)((codepoint | 0x20) - 'a') <= 'z' - 'a';
        }

        return codepoint <= 0x10FFFF && CharUnicodeInfo.GetUnicodeCategory(codepoint) <= UnicodeCategory.OtherLetter;
    }

    /// <summary>Whether <paramref name="codepoint"/> is a number (<c>\p{N}</c>: Nd, Nl, No).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNumber(int codepoint)
    {
        if (codepoint < 0x80)
        {
            return (uint)(codepoint - '0') <= 9;
        }

        if (codepoint > 0x10FFFF)
        {
            return false;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(codepoint);
        return category is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;
    }

    /// <summary>Whether <paramref name="codepoint"/> is punctuation (<c>\p{P}</c>).</summary>
    public static bool IsPunctuation(int codepoint)
    {
        if (codepoint < 0 || codepoint > 0x10FFFF)
        {
            return false;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(codepoint);
        return category is >= UnicodeCategory.ConnectorPunctuation and <= UnicodeCategory.OtherPunctuation;
    }

    /// <summary>Whether <paramref name="codepoint"/> has the Unicode White_Space property (what llama.cpp's <c>\s</c> means).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhitespace(int codepoint)
    {
        if (codepoint < 0x80)
        {
            return codepoint == ' ' || (uint)(codepoint - '\t') <= '\r' - '\t';
        }

        return codepoint switch
        {
            0x85 or 0xA0 or 0x1680 or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
            >= 0x2000 and <= 0x200A => true,
            _ => false,
        };
    }

    /// <summary>Whether <paramref name="codepoint"/> is a real code point (llama.cpp gives every one of them some category flag).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDefined(int codepoint) => (uint)codepoint <= 0x10FFFF;
}
