using System.Globalization;
using Microsoft.Extensions.AI;

namespace HybridAI.Llama;

/// <summary>
/// How the next token is chosen from the model's logits. The chain runs in llama.cpp's default order: repetition
/// penalties, top-k, top-p, min-p, temperature, then a seeded random draw. A temperature of zero or less is greedy decoding.
/// </summary>
/// <remarks>
/// The defaults are llama.cpp's (<c>common_params_sampling</c>): temperature 0.8, top-k 40, top-p 0.95, min-p 0.05,
/// no repetition penalty over a window of 64 tokens. Instances are immutable once built and safe to share.
/// Per call, <see cref="ChatOptions"/> overrides them: <see cref="ChatOptions.Temperature"/>, <see cref="ChatOptions.TopK"/>,
/// <see cref="ChatOptions.TopP"/>, <see cref="ChatOptions.Seed"/>, <see cref="ChatOptions.FrequencyPenalty"/>,
/// <see cref="ChatOptions.PresencePenalty"/>, and the additional properties <c>min_p</c>, <c>repeat_penalty</c> and
/// <c>repeat_last_n</c>.
/// </remarks>
public sealed record SamplingOptions
{
    /// <summary>The default options (llama.cpp's defaults).</summary>
    public static SamplingOptions Default { get; } = new();

    /// <summary>Greedy decoding: always the most likely token (temperature 0), as llama.cpp's conformance runs use.</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0 };

    /// <summary>Gets the temperature that divides the logits; zero or less picks the most likely token (greedy).</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Gets how many of the most likely tokens are kept; zero or less keeps all.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Gets the probability mass of the most likely tokens that is kept (nucleus sampling); 1 keeps all.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Gets the minimum probability of a token, relative to the most likely one, to be kept; 0 keeps all.</summary>
    public float MinP { get; init; } = 0.05f;

    /// <summary>
    /// Gets the repetition penalty applied to tokens seen in the last <see cref="RepetitionWindow"/> tokens
    /// (a positive logit is divided by it, any other is multiplied); 1 disables it.
    /// </summary>
    public float RepetitionPenalty { get; init; } = 1.0f;

    /// <summary>Gets the frequency penalty: subtracted from a token's logit once per occurrence in the window; 0 disables it.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Gets the presence penalty: subtracted once from the logit of a token present in the window; 0 disables it.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Gets how many of the last tokens (prompt included) the penalties look at; 0 disables the penalties.</summary>
    public int RepetitionWindow { get; init; } = 64;

    /// <summary>Gets the seed of the random draw; null picks a fresh seed per call.</summary>
    public long? Seed { get; init; }

    /// <summary>Gets a value telling whether this configuration always picks the most likely token.</summary>
    internal bool IsGreedy => Temperature <= 0;

    /// <summary>Gets a value telling whether any penalty changes the logits.</summary>
    internal bool HasPenalties =>
        RepetitionWindow > 0 && (RepetitionPenalty != 1.0f || FrequencyPenalty != 0 || PresencePenalty != 0);

    /// <summary>Checks that every value is in range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    internal void Validate()
    {
        if (float.IsNaN(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be a number.");
        }

        if (!(TopP >= 0 && TopP <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "TopP must be between 0 and 1.");
        }

        if (!(MinP >= 0 && MinP <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinP), MinP, "MinP must be between 0 and 1.");
        }

        if (!(RepetitionPenalty > 0) || float.IsInfinity(RepetitionPenalty))
        {
            throw new ArgumentOutOfRangeException(nameof(RepetitionPenalty), RepetitionPenalty, "RepetitionPenalty must be a positive number.");
        }

        if (!float.IsFinite(FrequencyPenalty) || !float.IsFinite(PresencePenalty))
        {
            throw new ArgumentOutOfRangeException(nameof(FrequencyPenalty), "FrequencyPenalty and PresencePenalty must be finite numbers.");
        }

        if (RepetitionWindow < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RepetitionWindow), RepetitionWindow, "RepetitionWindow must not be negative.");
        }
    }

    /// <summary>Returns these options overridden by whatever <paramref name="options"/> sets.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An overriding value is out of range.</exception>
    internal SamplingOptions With(ChatOptions? options)
    {
        if (options is null)
        {
            return this;
        }

        var result = this with
        {
            Temperature = options.Temperature ?? Temperature,
            TopK = options.TopK ?? TopK,
            TopP = options.TopP ?? TopP,
            Seed = options.Seed ?? Seed,
            FrequencyPenalty = options.FrequencyPenalty ?? FrequencyPenalty,
            PresencePenalty = options.PresencePenalty ?? PresencePenalty,
        };

        if (options.AdditionalProperties is { } extra)
        {
            result = result with
            {
                MinP = ReadSingle(extra, "min_p") ?? result.MinP,
                RepetitionPenalty = ReadSingle(extra, "repeat_penalty") ?? result.RepetitionPenalty,
                RepetitionWindow = ReadInt32(extra, "repeat_last_n") ?? result.RepetitionWindow,
            };
        }

        result.Validate();
        return result;
    }

    private static float? ReadSingle(AdditionalPropertiesDictionary extra, string key)
    {
        if (!extra.TryGetValue(key, out var value) || value is null)
        {
            return null;
        }

        return value switch
        {
            float f => f,
            double d => (float)d,
            decimal m => (float)m,
            int i => i,
            long l => l,
            string s when float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } e => e.GetSingle(),
            _ => throw new ArgumentOutOfRangeException(key, value, $"The additional property '{key}' must be a number."),
        };
    }

    private static int? ReadInt32(AdditionalPropertiesDictionary extra, string key) =>
        ReadSingle(extra, key) is { } value ? checked((int)value) : null;
}
