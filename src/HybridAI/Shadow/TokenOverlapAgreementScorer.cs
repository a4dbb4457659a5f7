using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// Scores the overlap of the words of both answers (Jaccard similarity of their sets of lower-cased words): 1 for the
/// same words, 0 for none in common. Two empty answers agree fully.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class TokenOverlapAgreementScorer : IShadowAgreementScorer
{
    /// <inheritdoc/>
    public string Name => "token-overlap";

    /// <inheritdoc/>
    public ValueTask<double> ScoreAsync(ChatResponse primary, ChatResponse shadow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(shadow);
        return new(Score(primary.Text, shadow.Text));
    }

    /// <summary>Computes the word overlap of two texts.</summary>
    /// <param name="first">One text.</param>
    /// <param name="second">The other.</param>
    /// <returns>The Jaccard similarity of their word sets, from 0 to 1.</returns>
    public static double Score(string first, string second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var a = Words(first);
        var b = Words(second);
        if (a.Count == 0 && b.Count == 0)
        {
            return 1d;
        }

        var common = a.Count(b.Contains);
        return (double)common / (a.Count + b.Count - common);
    }

    private static HashSet<string> Words(string text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                words.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }

        return words;
    }
}
