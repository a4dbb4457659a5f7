using Microsoft.Extensions.AI;

namespace HybridAI;

/// <summary>
/// Rejects models whose estimated cost for the call exceeds the context's cost ceiling. The estimate counts about four
/// characters of text per input token and <c>ChatOptions.MaxOutputTokens</c> output tokens.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal sealed class CostCeilingFilter : IRoutingPolicy
{
    public static CostCeilingFilter Instance { get; } = new();

    public string Name => "cost-ceiling";

    public void Apply(RoutingCall call)
    {
        if (call.Context?.CostCeiling is not { } ceiling)
        {
            return;
        }

        var inputTokens = EstimateInputTokens(call.Messages);
        var outputTokens = (long)(call.Options?.MaxOutputTokens ?? 0);
        for (var i = 0; i < call.Count; i++)
        {
            var cost = call.Candidates[i].Descriptor.Cost;
            if (cost is null)
            {
                call.Reject(i, Name, "price unknown and a cost ceiling is set");
            }
            else if (cost.Compute(inputTokens, outputTokens) is var estimate && estimate > ceiling)
            {
                call.Reject(i, Name, $"estimated cost {estimate:0.######} exceeds the ceiling {ceiling:0.######}");
            }
        }

        call.Decision.AddDecidedBy(Name);
    }

    internal static long EstimateInputTokens(IEnumerable<ChatMessage> messages)
    {
        long characters = 0;
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is TextContent text)
                {
                    characters += text.Text?.Length ?? 0;
                }
            }
        }

        return (characters + 3) / 4;
    }
}
