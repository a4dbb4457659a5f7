using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace HybridAI.OpenAI.Tests;

/// <summary>
/// Answers in OpenAI's documented chat completions wire format: <c>chat.completion</c> objects, server-sent
/// <c>chat.completion.chunk</c> events ending with <c>data: [DONE]</c>, and <c>{"error":{...}}</c> bodies.
/// </summary>
internal static class ChatCompletionsWire
{
    public const string CompletionId = "chatcmpl-9tGp3xYz";

    public static string Completion(string? content, string finishReason = "stop", string? toolCallsJson = null,
        int promptTokens = 9, int completionTokens = 12) =>
        $$"""
        {
          "id": "{{CompletionId}}",
          "object": "chat.completion",
          "created": 1732435200,
          "model": "gpt-4o-mini-2024-07-18",
          "system_fingerprint": "fp_44709d6fcb",
          "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": {{(content is null ? "null" : JsonSerializer.Serialize(content))}}{{(toolCallsJson is null ? "" : $", \"tool_calls\": {toolCallsJson}")}}, "refusal": null },
            "logprobs": null,
            "finish_reason": "{{finishReason}}"
          }],
          "usage": { "prompt_tokens": {{promptTokens}}, "completion_tokens": {{completionTokens}}, "total_tokens": {{promptTokens + completionTokens}} }
        }
        """;

    public static string ToolCall(string id, string name, string argumentsJson) =>
        $$"""[{ "id": "{{id}}", "type": "function", "function": { "name": "{{name}}", "arguments": {{JsonSerializer.Serialize(argumentsJson)}} } }]""";

    /// <summary>One chunk with a delta (a JSON object), and a finish reason or null.</summary>
    public static string Chunk(string deltaJson, string? finishReason = null) =>
        $$"""{"id":"{{CompletionId}}","object":"chat.completion.chunk","created":1732435200,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{{deltaJson}},"logprobs":null,"finish_reason":{{(finishReason is null ? "null" : $"\"{finishReason}\"")}}}],"usage":null}""";

    /// <summary>The last chunk sent when <c>stream_options.include_usage</c> is true: no choices, the usage of the whole request.</summary>
    public static string UsageChunk(int promptTokens, int completionTokens) =>
        $$$"""{"id":"{{{CompletionId}}}","object":"chat.completion.chunk","created":1732435200,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":{{{promptTokens}}},"completion_tokens":{{{completionTokens}}},"total_tokens":{{{promptTokens + completionTokens}}}}}""";

    public static string Error(string message, string type, string? code, string? param = null) =>
        $$"""{ "error": { "message": {{JsonSerializer.Serialize(message)}}, "type": "{{type}}", "param": {{(param is null ? "null" : $"\"{param}\"")}}, "code": {{(code is null ? "null" : $"\"{code}\"")}} } }""";

    public static async Task WriteJsonAsync(HttpContext context, string json, int status = 200, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>Writes each item as a <c>data:</c> event, flushing after each, then <c>data: [DONE]</c>.</summary>
    public static async Task WriteEventStreamAsync(HttpContext context, IEnumerable<string> chunks, bool done = true)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        foreach (var chunk in chunks)
        {
            await context.Response.WriteAsync($"data: {chunk}\n\n", Encoding.UTF8, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        if (done)
        {
            await context.Response.WriteAsync("data: [DONE]\n\n", Encoding.UTF8, context.RequestAborted);
        }
    }

    public static JsonObject Body(RecordedRequest request) => JsonNode.Parse(request.Body)!.AsObject();
}
