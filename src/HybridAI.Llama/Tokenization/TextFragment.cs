namespace HybridAI.Llama;

/// <summary>
/// A piece of the input after special tokens are cut out (llama.cpp's <c>fragment_buffer_variant</c>): either a byte
/// range of raw text still to tokenize, or a special token already found.
/// </summary>
internal readonly record struct TextFragment(int Start, int Length, int Token)
{
    /// <summary>Gets whether the fragment is raw text (not a special token).</summary>
    public bool IsText => Token < 0;

    /// <summary>Creates a raw-text fragment.</summary>
    public static TextFragment Text(int start, int length) => new(start, length, -1);

    /// <summary>Creates a special-token fragment.</summary>
    public static TextFragment Special(int token) => new(0, 0, token);
}
