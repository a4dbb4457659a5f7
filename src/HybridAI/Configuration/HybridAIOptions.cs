using Microsoft.Extensions.Configuration;

namespace HybridAI;

/// <summary>
/// The options behind <c>AddHybridAI</c>: the configuration section the router compiles, and how it resolves the
/// environment variables that hold API keys. The router listens to <c>IOptionsMonitor&lt;HybridAIOptions&gt;</c>, so a
/// change to the section applies to the next call without a restart.
/// </summary>
/// <remarks>
/// The section is read by the router itself rather than bound, so that every problem (including a value of the wrong type)
/// is listed at start-up and a bad reload keeps the last good configuration instead of throwing. Not thread-safe; set it
/// up during service registration.
/// </remarks>
public sealed class HybridAIOptions
{
    /// <summary>Gets or sets the <c>HybridAI</c> configuration section.</summary>
    public IConfiguration? Configuration { get; set; }

    /// <summary>
    /// Gets or sets how the value of an environment variable named by a model's <c>ApiKeyVariable</c> is checked at
    /// start-up. Defaults to <see cref="Environment.GetEnvironmentVariable(string)"/>. Values are never logged.
    /// </summary>
    public Func<string, string?> GetEnvironmentVariable { get; set; } = Environment.GetEnvironmentVariable;
}
