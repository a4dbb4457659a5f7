using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace HybridAI.Tests;

public sealed class ShadowRunnerTests
{
    private sealed class Observer : IShadowObserver
    {
        public ConcurrentQueue<ShadowComparison> Comparisons { get; } = new();

        public TaskCompletionSource<ShadowComparison> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnCompared(ShadowComparison comparison)
        {
            Comparisons.Enqueue(comparison);
            First.TrySetResult(comparison);
        }
    }

    private sealed class ThrowingObserver : IShadowObserver
    {
        public void OnCompared(ShadowComparison comparison) => throw new InvalidOperationException("observer bug");
    }

    private static Dictionary<string, string?> Settings(string shadow = "local")
    {
        var settings = RouterFixture.Standard();
        settings["Routes:Default:Shadow"] = shadow;
        return settings;
    }

    private static RouterFixture Create(Observer observer, Dictionary<string, string?>? settings = null) =>
        new(settings ?? Settings(), services =>
        {
            services.AddSingleton<IShadowObserver>(new ThrowingObserver());
            services.AddSingleton<IShadowObserver>(observer);
        });

    [Fact]
    public async Task GetResponseAsync_RouteWithShadow_ShadowGetsCopyAndPairIsReported()
    {
        var observer = new Observer();
        using var fixture = Create(observer);
        _ = fixture.Router;
        fixture.Model("partner").Reply = "the cat sat on the mat";
        fixture.Model("local").Reply = "the cat sat on a mat";
        fixture.Model("local").InputTokens = 12;

        var response = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Feature = "f" });
        var comparison = await observer.First.Task.WaitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("the cat sat on the mat", response.Text);
        Assert.Equal("local", response.GetRoutingDecision()!.ShadowModel);
        Assert.Equal("hello", Assert.Single(Assert.Single(fixture.Model("local").Calls).Messages).Text);
        Assert.Equal(("partner", "local", "default", "f"), (comparison.PrimaryModel, comparison.ShadowModel, comparison.Route, comparison.Feature));
        Assert.Equal(5d / 6d, comparison.Agreement!.Value, 6); // {the,cat,sat,on,mat} vs {the,cat,sat,on,a,mat}.
        Assert.Equal("token-overlap", comparison.Scorer);
        Assert.Equal(12, comparison.ShadowInputTokens);
        Assert.Equal(0m, comparison.ShadowCost);
        Assert.True(comparison.PrimaryCost > 0m);
        Assert.Null(comparison.ShadowError);
    }

    [Fact]
    public async Task GetResponseAsync_ShadowFails_CallerUnaffectedAndFailureReported()
    {
        var observer = new Observer();
        using var fixture = Create(observer);
        _ = fixture.Router;
        fixture.Model("local").Failure = () => new ChatModelException(ChatModelErrorKind.Unavailable, "local", "boom");

        var response = await RouterFixture.Ask(fixture.Router);
        var comparison = await observer.First.Task.WaitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("partner", response.Text);
        Assert.Equal(ChatModelErrorKind.Unavailable, comparison.ShadowError);
        Assert.Null(comparison.Agreement);
    }

    [Fact]
    public async Task GetResponseAsync_ShadowNeverAnswers_CallerGetsAnswerWhileShadowStillPending()
    {
        var observer = new Observer();
        using var fixture = Create(observer);
        _ = fixture.Router;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Model("local").Delay = token => release.Task.WaitAsync(token);

        var response = await RouterFixture.Ask(fixture.Router);

        Assert.Equal("partner", response.Text);
        Assert.False(observer.First.Task.IsCompleted);
        release.SetResult();
        await observer.First.Task.WaitAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task GetResponseAsync_ShadowTimesOut_ReportedAsTimeout()
    {
        var observer = new Observer();
        var settings = Settings();
        settings["Shadow:Timeout"] = "00:00:10";
        using var fixture = Create(observer, settings);
        _ = fixture.Router;
        fixture.Model("local").Delay = token => Task.Delay(Timeout.InfiniteTimeSpan, fixture.Time, token);

        await RouterFixture.Ask(fixture.Router);
        while (!observer.First.Task.IsCompleted)
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        Assert.Equal(ChatModelErrorKind.Timeout, (await observer.First.Task).ShadowError);
    }

    [Fact]
    public async Task GetResponseAsync_ConcurrencyBoundReached_ExtraShadowsDropped()
    {
        var observer = new Observer();
        var settings = Settings();
        settings["Shadow:MaxConcurrency"] = "1";
        using var fixture = Create(observer, settings);
        _ = fixture.Router;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Model("local").Delay = token => release.Task.WaitAsync(token);

        var first = await RouterFixture.Ask(fixture.Router);
        var second = await RouterFixture.Ask(fixture.Router);
        release.SetResult();
        await observer.First.Task.WaitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("local", first.GetRoutingDecision()!.ShadowModel);
        Assert.Null(second.GetRoutingDecision()!.ShadowModel);
        Assert.True(fixture.Model("local").CallCount <= 1);
    }

    [Fact]
    public async Task GetResponseAsync_SensitiveCallWithPartnerShadow_ShadowNotCalled()
    {
        var observer = new Observer();
        var settings = Settings(shadow: "flash");
        settings["Routes:Default:Model"] = "local";
        using var fixture = Create(observer, settings);

        var response = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Classification = DataClassification.Sensitive });
        var internalCall = await RouterFixture.Ask(fixture.Router, new ChatRoutingContext { Classification = DataClassification.Internal });
        await observer.First.Task.WaitAsync(TestContext.Current.CancellationToken);

        Assert.Null(response.GetRoutingDecision()!.ShadowModel);
        Assert.Equal("flash", internalCall.GetRoutingDecision()!.ShadowModel);
        Assert.Equal(1, fixture.Model("flash").CallCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RouteWithShadow_ShadowComparedWithStreamedAnswer()
    {
        var observer = new Observer();
        using var fixture = Create(observer, Settings());
        _ = fixture.Router;
        fixture.Model("partner").Chunks = ["same ", "text"];
        fixture.Model("local").Reply = "same text";

        var updates = await fixture.Router.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], null, TestContext.Current.CancellationToken)
            .ToListAsync(TestContext.Current.CancellationToken);
        var comparison = await observer.First.Task.WaitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("same text", updates.ToChatResponse().Text);
        Assert.Equal(1d, comparison.Agreement);
    }

    [Fact]
    public async Task GetResponseAsync_CustomScorer_UsedForAgreement()
    {
        var observer = new Observer();
        using var fixture = new RouterFixture(Settings(), services =>
        {
            services.AddSingleton<IShadowObserver>(observer);
            services.AddSingleton<IShadowAgreementScorer>(new ExactMatchAgreementScorer());
        });

        await RouterFixture.Ask(fixture.Router);
        var comparison = await observer.First.Task.WaitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("exact-match", comparison.Scorer);
        Assert.Equal(0d, comparison.Agreement); // "partner" vs "local".
    }

    [Theory]
    [InlineData("a b c", "a b c", 1d)]
    [InlineData("A, b!", "a b", 1d)]
    [InlineData("a b", "c d", 0d)]
    [InlineData("", "", 1d)]
    [InlineData("a b c d", "a b", 0.5d)]
    public void TokenOverlap_Score_IsJaccardOfWords(string first, string second, double expected) =>
        Assert.Equal(expected, TokenOverlapAgreementScorer.Score(first, second), 6);

    [Fact]
    public async Task ExactMatch_ScoresOneOnlyForSameText()
    {
        var scorer = new ExactMatchAgreementScorer();
        var a = new ChatResponse(new ChatMessage(ChatRole.Assistant, " yes "));

        Assert.Equal(1d, await scorer.ScoreAsync(a, new ChatResponse(new ChatMessage(ChatRole.Assistant, "yes")), TestContext.Current.CancellationToken));
        Assert.Equal(0d, await scorer.ScoreAsync(a, new ChatResponse(new ChatMessage(ChatRole.Assistant, "no")), TestContext.Current.CancellationToken));
    }
}
