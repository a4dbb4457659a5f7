using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

public sealed class FallbackTests
{
    private static Dictionary<string, string?> Chain()
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Fallbacks:0"] = "flash";
        settings["Routes:Default:Fallbacks:1"] = "local";
        return settings;
    }

    public static TheoryData<ChatModelErrorKind, bool> DefaultMatrix() => new()
    {
        { ChatModelErrorKind.RateLimited, true },
        { ChatModelErrorKind.Transient, true },
        { ChatModelErrorKind.Unavailable, true },
        { ChatModelErrorKind.Timeout, true },
        { ChatModelErrorKind.ContentFiltered, true },
        { ChatModelErrorKind.ContextTooLong, true },
        { ChatModelErrorKind.InvalidRequest, false },
        { ChatModelErrorKind.Authentication, false },
        { ChatModelErrorKind.MalformedResponse, false },
        { ChatModelErrorKind.Unknown, false },
    };

    [Theory]
    [MemberData(nameof(DefaultMatrix))]
    public async Task GetResponseAsync_PrimaryFailsWithKind_FallsBackOnlyOnDefaultKinds(ChatModelErrorKind kind, bool fallsBack)
    {
        using var fixture = new RouterFixture(Chain());
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(kind, "partner", "failed");

        if (fallsBack)
        {
            var response = await RouterFixture.Ask(fixture.Router);
            var decision = response.GetRoutingDecision()!;
            Assert.Equal("flash", response.Text);
            Assert.Equal(2, decision.Attempts.Count);
            Assert.Equal(kind, decision.Attempts[0].ErrorKind);
            Assert.True(decision.Attempts[1].Succeeded);
            Assert.Equal(1, decision.FallbackCount);
            Assert.Contains("fallback", decision.DecidedBy);
        }
        else
        {
            var error = await Assert.ThrowsAsync<ChatModelException>(() => RouterFixture.Ask(fixture.Router));
            Assert.Equal(kind, error.Kind);
            Assert.Equal(0, fixture.Model("flash").CallCount);
        }
    }

    [Theory]
    [MemberData(nameof(DefaultMatrix))]
    public async Task GetStreamingResponseAsync_FailsBeforeFirstUpdateWithKind_FallsBackOnlyOnDefaultKinds(ChatModelErrorKind kind, bool fallsBack)
    {
        using var fixture = new RouterFixture(Chain());
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(kind, "partner", "failed");

        var stream = fixture.Router.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], null, TestContext.Current.CancellationToken);
        if (fallsBack)
        {
            var updates = await stream.ToListAsync(TestContext.Current.CancellationToken);
            Assert.Equal("flash", updates.ToChatResponse().Text);
        }
        else
        {
            var error = await Assert.ThrowsAsync<ChatModelException>(async () => await stream.ToListAsync(TestContext.Current.CancellationToken));
            Assert.Equal(kind, error.Kind);
        }
    }

    [Fact]
    public async Task GetResponseAsync_FallbackOnConfiguredWithAuthentication_FallsBackOnAuthentication()
    {
        var settings = Chain();
        settings["Routes:Default:FallbackOn"] = "Authentication, Transient";
        using var fixture = new RouterFixture(settings);
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.Authentication, "partner", "bad key");

        var response = await RouterFixture.Ask(fixture.Router);

        Assert.Equal("flash", response.Text);
    }

    [Fact]
    public async Task GetResponseAsync_GlobalFallbackOnWithoutRateLimited_DoesNotFallBackOnRateLimit()
    {
        var settings = Chain();
        settings["FallbackOn:0"] = "Transient";
        using var fixture = new RouterFixture(settings);
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.RateLimited, "partner", "slow down");

        await Assert.ThrowsAsync<ChatModelException>(() => RouterFixture.Ask(fixture.Router));
    }

    [Fact]
    public async Task GetResponseAsync_EveryModelFails_SurfacesLastFailureAndRecordsEveryAttempt()
    {
        using var fixture = new RouterFixture(Chain());
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.Transient, "partner", "down");
        fixture.Model("flash").Failure = () => new ChatModelException(ChatModelErrorKind.RateLimited, "flash", "busy");
        fixture.Model("local").Failure = () => new ChatModelException(ChatModelErrorKind.Unavailable, "local", "not loaded");

        var error = await Assert.ThrowsAsync<ChatModelException>(() => RouterFixture.Ask(fixture.Router));

        Assert.Equal("local", error.ModelName);
        Assert.Equal(1, fixture.Model("partner").CallCount);
        Assert.Equal(1, fixture.Model("flash").CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancels_DoesNotFallBack()
    {
        using var fixture = new RouterFixture(Chain());
        _ = fixture.Router;
        using var cancellation = new CancellationTokenSource();
        fixture.Model("partner").Delay = async token =>
        {
            await cancellation.CancelAsync();
            token.ThrowIfCancellationRequested();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            fixture.Router.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], null, cancellation.Token));

        Assert.Equal(0, fixture.Model("flash").CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_RolloutModelFails_OtherRolloutModelServesBeforeExplicitFallbacks()
    {
        var settings = RouterFixture.Standard();
        settings.Remove("Routes:Default:Model");
        settings["Routes:Default:Rollout:partner"] = "100";
        settings["Routes:Default:Rollout:flash"] = "0";
        settings["Routes:Default:Fallbacks:0"] = "local";
        using var fixture = new RouterFixture(settings);
        _ = fixture.Router;
        fixture.Model("partner").Failure = () => new ChatModelException(ChatModelErrorKind.Transient, "partner", "down");

        var response = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { StickyKey = "u1" });

        Assert.Equal("local", response.Text); // flash has weight 0: it is not a candidate of the rollout.
        Assert.Equal(0, fixture.Model("flash").CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_ModelTimesOut_PollyTimeoutFallsBack()
    {
        var settings = Chain();
        settings["Models:partner:Resilience:Timeout"] = "00:00:05";
        using var fixture = new RouterFixture(settings);
        _ = fixture.Router;
        fixture.Model("partner").Delay = token => Task.Delay(Timeout.InfiniteTimeSpan, fixture.Time, token);

        var call = RouterFixture.Ask(fixture.Router);
        while (!call.IsCompleted)
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        var response = await call;
        Assert.Equal("flash", response.Text);
        Assert.Equal(ChatModelErrorKind.Timeout, response.GetRoutingDecision()!.Attempts[0].ErrorKind);
    }

    [Fact]
    public async Task GetResponseAsync_RetriesConfigured_PollyRetriesSameModelBeforeFallingBack()
    {
        var settings = Chain();
        settings["Models:partner:Resilience:MaxRetries"] = "2";
        settings["Models:partner:Resilience:RetryDelay"] = "00:00:01";
        using var fixture = new RouterFixture(settings);
        _ = fixture.Router;
        var partner = fixture.Model("partner");
        partner.NextFailures.Enqueue(new ChatModelException(ChatModelErrorKind.Transient, "partner", "blip"));
        partner.NextFailures.Enqueue(new ChatModelException(ChatModelErrorKind.RateLimited, "partner", "busy") { RetryAfter = TimeSpan.FromSeconds(3) });

        var call = RouterFixture.Ask(fixture.Router);
        while (!call.IsCompleted)
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        var response = await call;
        Assert.Equal("partner", response.Text);
        Assert.Equal(3, partner.CallCount);
        Assert.Equal(0, fixture.Model("flash").CallCount);
    }
}
