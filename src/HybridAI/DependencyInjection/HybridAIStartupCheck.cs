namespace HybridAI;

/// <summary>
/// An options type with no values, whose validation at host start builds the router, so that an invalid configuration stops
/// the host with every problem listed. It is distinct from <see cref="HybridAIOptions"/> so that reloads never re-run it.
/// </summary>
internal sealed class HybridAIStartupCheck
{
}
