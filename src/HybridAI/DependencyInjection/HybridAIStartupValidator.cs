using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HybridAI;

/// <summary>Builds the router at host start and turns configuration problems into an options validation failure listing each.</summary>
/// <remarks>Thread-safe; runs once, at start-up.</remarks>
internal sealed class HybridAIStartupValidator(IServiceProvider services) : IValidateOptions<HybridAIStartupCheck>
{
    public ValidateOptionsResult Validate(string? name, HybridAIStartupCheck options)
    {
        try
        {
            _ = services.GetRequiredService<HybridRouter>();
            return ValidateOptionsResult.Success;
        }
        catch (HybridAIConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Problems);
        }
    }
}
