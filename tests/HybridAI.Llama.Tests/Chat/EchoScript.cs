namespace HybridAI.Llama.Tests;

/// <summary>
/// A fake model for ChatML prompts over <see cref="CharTokenizer"/>: it answers "echo:" and the last user message, then
/// EOS. The answer depends only on the tokens in the cache, so interleaved or mixed-up calls give wrong answers.
/// </summary>
internal static class EchoScript
{
    private static readonly int s_start = CharTokenizer.SpecialId("<|im_start|>");
    private static readonly int s_end = CharTokenizer.SpecialId("<|im_end|>");
    private static readonly int[] s_user = CharTokenizer.Text("user\n");
    private static readonly int[] s_assistant = CharTokenizer.Text("assistant\n");

    public static int Next(IReadOnlyList<int> tokens)
    {
        var list = tokens.ToArray();
        var lastStart = Array.LastIndexOf(list, s_start);
        var answerStart = lastStart + 1 + s_assistant.Length;
        if (lastStart < 0 || !list.AsSpan(lastStart + 1).StartsWith(s_assistant))
        {
            return CharTokenizer.Eos;
        }

        var userStart = -1;
        for (var i = lastStart - 1; i >= 0; i--)
        {
            if (list[i] == s_start && list.AsSpan(i + 1).StartsWith(s_user))
            {
                userStart = i + 1 + s_user.Length;
                break;
            }
        }

        var userEnd = userStart < 0 ? -1 : Array.IndexOf(list, s_end, userStart);
        var question = userEnd < 0 ? string.Empty : string.Concat(list[userStart..userEnd].Select(CharTokenizer.Decode));
        var answer = CharTokenizer.Text("echo:" + question);
        var position = list.Length - answerStart;
        return position < answer.Length ? answer[position] : CharTokenizer.Eos;
    }
}
