using Microsoft.Extensions.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace HybridAI;

/// <summary>
/// Builds a model's Polly pipeline from its <c>Resilience</c> configuration: retry on retriable failures (honouring the
/// provider's retry-after), a circuit breaker with cooldown, and a per-attempt timeout.
/// </summary>
/// <remarks>
/// Defaults: no retry (the fallback chain is usually the better answer to a failing model), a circuit that opens when half
/// of at least 10 calls in 30 seconds fail and cools down for 30 seconds, and no timeout. Thread-safe.
/// </remarks>
internal static class ModelResilience
{
    public static (ResiliencePipeline Pipeline, CircuitHealth Circuit) Build(
        string modelName, IConfigurationSection resilience, ConfigurationReader reader, TimeProvider timeProvider)
    {
        var retries = reader.Int(resilience, "MaxRetries") ?? 0;
        var retryDelay = reader.Duration(resilience, "RetryDelay") ?? TimeSpan.FromSeconds(1);
        var timeout = reader.Duration(resilience, "Timeout");
        var breaker = resilience.GetSection("CircuitBreaker");
        var failureRatio = reader.Decimal(breaker, "FailureRatio") ?? 0.5m;
        var minimumThroughput = reader.Int(breaker, "MinimumThroughput") ?? 10;
        var samplingDuration = reader.Duration(breaker, "SamplingDuration") ?? TimeSpan.FromSeconds(30);
        var breakDuration = reader.Duration(breaker, "BreakDuration") ?? TimeSpan.FromSeconds(30);
        if (retries is < 0 or > 10)
        {
            reader.Problem(resilience.GetSection("MaxRetries"), "must be between 0 and 10.");
            retries = 0;
        }

        if (failureRatio is <= 0m or > 1m)
        {
            reader.Problem(breaker.GetSection("FailureRatio"), "must be greater than 0 and at most 1.");
            failureRatio = 0.5m;
        }

        if (minimumThroughput < 2)
        {
            reader.Problem(breaker.GetSection("MinimumThroughput"), "must be at least 2.");
            minimumThroughput = 10;
        }

        if (samplingDuration < TimeSpan.FromMilliseconds(500))
        {
            reader.Problem(breaker.GetSection("SamplingDuration"), "must be at least 0.5 seconds.");
            samplingDuration = TimeSpan.FromSeconds(30);
        }

        if (breakDuration < TimeSpan.FromMilliseconds(500))
        {
            reader.Problem(breaker.GetSection("BreakDuration"), "must be at least 0.5 seconds.");
            breakDuration = TimeSpan.FromSeconds(30);
        }

        var circuit = new CircuitHealth(timeProvider);
        var builder = new ResiliencePipelineBuilder { Name = "hybridai-" + modelName, TimeProvider = timeProvider };
        if (retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                Delay = retryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<ChatModelException>(static e => e.IsRetriable).Handle<TimeoutRejectedException>(),
                DelayGenerator = static args => new ValueTask<TimeSpan?>(
                    args.Outcome.Exception is ChatModelException { RetryAfter: { } after } ? after : null),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = (double)failureRatio,
            MinimumThroughput = minimumThroughput,
            SamplingDuration = samplingDuration,
            BreakDuration = breakDuration,
            StateProvider = circuit.State,
            OnOpened = args =>
            {
                circuit.Opened(args.BreakDuration);
                return default;
            },
            ShouldHandle = new PredicateBuilder().Handle<ChatModelException>(static e => e.IsRetriable).Handle<TimeoutRejectedException>(),
        });

        if (timeout is { } limit)
        {
            builder.AddTimeout(limit);
        }

        return (builder.Build(), circuit);
    }
}
