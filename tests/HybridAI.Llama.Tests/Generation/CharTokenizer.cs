using System.Text;

namespace HybridAI.Llama.Tests;

/// <summary>
/// A test tokenizer: one token per UTF-16 char (id = char code + 10), BOS = 1, EOS = 2, and a few special tokens that are
/// parsed from text when asked. Its detokenizer holds a high surrogate back until its pair arrives, like a UTF-8-safe one.
/// </summary>
internal sealed class CharTokenizer : IPromptTokenizer
{
    public const int Bos = 1;
    public const int Eos = 2;
    public const int Offset = 10;

    private static readonly string[] s_specials = ["<|im_start|>", "<|im_end|>", "<|eot_id|>"];

    public static int VocabularySize => 0x10000 + Offset + 100;

    public static int SpecialId(string text) => 0x10000 + Offset + Array.IndexOf(s_specials, text);

    public static int Id(char c) => c + Offset;

    public int[] Encode(string text, bool addSpecial, bool parseSpecial)
    {
        var ids = new List<int>();
        if (addSpecial)
        {
            ids.Add(Bos);
        }

        for (var i = 0; i < text.Length;)
        {
            var special = parseSpecial ? Array.FindIndex(s_specials, s => text.AsSpan(i).StartsWith(s, StringComparison.Ordinal)) : -1;
            if (special >= 0)
            {
                ids.Add(0x10000 + Offset + special);
                i += s_specials[special].Length;
            }
            else
            {
                ids.Add(Id(text[i]));
                i++;
            }
        }

        return [.. ids];
    }

    public static int[] Text(string text) => [.. text.Select(Id)];

    public bool IsEndOfGeneration(int token) => token == Eos || token == SpecialId("<|eot_id|>");

    public IStreamingDetokenizer CreateDetokenizer() => new Detokenizer();

    public static string Decode(int token) => token switch
    {
        Bos => "<s>",
        Eos => "</s>",
        >= 0x10000 + Offset => s_specials[token - 0x10000 - Offset],
        _ => ((char)(token - Offset)).ToString(),
    };

    private sealed class Detokenizer : IStreamingDetokenizer
    {
        private readonly StringBuilder _pending = new();

        public string Append(int token)
        {
            var text = Decode(token);
            if (text.Length == 1 && char.IsHighSurrogate(text[0]))
            {
                _pending.Append(text);
                return string.Empty;
            }

            var result = _pending.Append(text).ToString();
            _pending.Clear();
            return result;
        }

        public string Flush()
        {
            var rest = _pending.Length > 0 ? "\uFFFD" : string.Empty;
            _pending.Clear();
            return rest;
        }
    }
}
