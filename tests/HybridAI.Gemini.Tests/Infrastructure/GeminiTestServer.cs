using System.Text;
using HybridAI.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HybridAI.Gemini.Tests;

/// <summary>Shared pieces of the loopback tests: a distinctive fake key, canned handlers and a model pointed at the server.</summary>
internal static class GeminiTestServer
{
    /// <summary>A fake key that would be easy to spot anywhere it leaked.</summary>
    public const string FakeApiKey = "AIzaFAKE-hybridai-leak-canary-7f3c9e";

    public const string FakeAccessToken = "ya29.FAKE-hybridai-token-canary-51d2";

    public const string Model = "gemini-2.5-flash";

    public static GeminiChatModel CreateModel(LoopbackServer server, Action<GeminiChatModelOptions>? configure = null, ILogger? logger = null)
    {
        var options = new GeminiChatModelOptions
        {
            Model = Model,
            ApiKey = FakeApiKey,
            BaseAddress = server.BaseAddress,
        };
        configure?.Invoke(options);
        return new GeminiChatModel(options, logger: logger);
    }

    /// <summary>Answers every request with <paramref name="json"/> and <paramref name="status"/>.</summary>
    public static Func<HttpContext, Task> Json(string json, int status = 200) => context => WriteJsonAsync(context, json, status);

    /// <summary>Answers the n-th request (0-based) with the n-th answer; the last answer repeats.</summary>
    public static Func<HttpContext, Task> Sequence(params Func<HttpContext, Task>[] answers)
    {
        var count = -1;
        return context =>
        {
            var index = Math.Min(Interlocked.Increment(ref count), answers.Length - 1);
            return answers[index](context);
        };
    }

    public static async Task WriteJsonAsync(HttpContext context, string json, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>Writes an SSE body in tiny chunks (sizes cycling through 1..7 bytes), flushing after each, so that the client sees
    /// lines, line ends and UTF-8 characters split at every kind of boundary.</summary>
    public static Func<HttpContext, Task> SseTrickle(string body) => async context =>
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        var bytes = Encoding.UTF8.GetBytes(body);
        var size = 1;
        for (var offset = 0; offset < bytes.Length; offset += size, size = (size % 7) + 1)
        {
            var length = Math.Min(size, bytes.Length - offset);
            await context.Response.Body.WriteAsync(bytes.AsMemory(offset, length), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    };

    /// <summary>Builds an SSE body from JSON chunks, each event ended by a blank line, with the given line end.</summary>
    public static string Sse(string lineEnd, params string[] chunks)
    {
        var builder = new StringBuilder();
        foreach (var chunk in chunks)
        {
            builder.Append("data: ").Append(chunk).Append(lineEnd).Append(lineEnd);
        }

        return builder.ToString();
    }
}
