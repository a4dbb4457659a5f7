using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// Scores how far a shadow's answer agrees with the serving model's, from 0 (nothing in common) to 1 (the same). The
/// built-in scorers compare text (<see cref="ExactMatchAgreementScorer"/>, <see cref="TokenOverlapAgreementScorer"/>, the
/// default); register your own, for example an LLM judge, as the <see cref="IShadowAgreementScorer"/> service.
/// </summary>
/// <remarks>Called on background threads, possibly concurrently: implementations must be thread-safe.</remarks>
public interface IShadowAgreementScorer
{
    /// <summary>Gets the scorer's name, reported with each score.</summary>
    string Name { get; }

    /// <summary>Scores the agreement of two answers to the same call.</summary>
    /// <param name="primary">The serving model's answer.</param>
    /// <param name="shadow">The shadow's answer.</param>
    /// <param name="cancellationToken">Cancelled when the shadow's time runs out.</param>
    /// <returns>A score from 0 to 1.</returns>
    ValueTask<double> ScoreAsync(ChatResponse primary, ChatResponse shadow, CancellationToken cancellationToken = default);
}
