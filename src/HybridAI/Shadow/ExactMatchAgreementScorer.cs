using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>Scores 1 when both answers have the same text (ignoring surrounding white space), otherwise 0.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class ExactMatchAgreementScorer : IShadowAgreementScorer
{
    /// <inheritdoc/>
    public string Name => "exact-match";

    /// <inheritdoc/>
    public ValueTask<double> ScoreAsync(ChatResponse primary, ChatResponse shadow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(shadow);
        return new(string.Equals(primary.Text.Trim(), shadow.Text.Trim(), StringComparison.Ordinal) ? 1d : 0d);
    }
}
