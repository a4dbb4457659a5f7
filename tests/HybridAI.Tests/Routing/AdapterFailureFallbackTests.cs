using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HybridAI.Tests;

/// <summary>The fallback matrix against adapters that fail the way MEAI clients do (HTTP errors, timeouts), translated by the SDK.</summary>
public sealed class AdapterFailureFallbackTests
{
    private sealed class FailingClient(Exception failure) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromException<ChatResponse>(failure);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw failure;

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class FailingProvider(Exception failure) : IChatModelProvider
    {
        public string Name => "raw";

        public IChatModel CreateModel(ModelDescriptor descriptor, IConfigurationSection settings) =>
            new FailingClient(failure).AsChatModel(descriptor);
    }

    public static TheoryData<string, bool> Failures() => new()
    {
        { "429", true },
        { "500", true },
        { "503", true },
        { "504", true },
        { "404", true },
        { "unreachable", true },
        { "timeout", true },
        { "400", false },
        { "401", false },
        { "403", false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task GetResponseAsync_AdapterFailsOverHttp_FallsBackOnlyWhenAnotherModelCanHelp(string failure, bool fallsBack)
    {
        Exception exception = failure switch
        {
            "unreachable" => new HttpRequestException("connection refused"),
            "timeout" => new TimeoutException(),
            _ => new HttpRequestException("failed", null, (HttpStatusCode)int.Parse(failure, System.Globalization.CultureInfo.InvariantCulture)),
        };
        var settings = RouterFixture.Standard();
        settings["Models:raw:Provider"] = "raw";
        settings["Routes:Default:Model"] = "raw";
        settings["Routes:Default:Fallbacks:0"] = "flash";
        using var fixture = new RouterFixture(settings, services => services.AddSingleton<IChatModelProvider>(new FailingProvider(exception)));

        if (fallsBack)
        {
            var response = await RouterFixture.Ask(fixture.Router);
            Assert.Equal("flash", response.Text);
        }
        else
        {
            var error = await Assert.ThrowsAsync<ChatModelException>(() => RouterFixture.Ask(fixture.Router));
            Assert.Equal("raw", error.ModelName);
            Assert.Equal(0, fixture.Model("flash").CallCount);
        }
    }
}
