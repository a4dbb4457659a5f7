using HybridAI;
using HybridAI.Llama;
using HybridAI.Samples.Chat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// Which model answers is configuration, not code: see appsettings.json, or override with e.g. HybridAI__DefaultModel=assistant.
// The default is the in-house model, run in process from the GGUF file that HYBRIDAI_MODEL (or the Path setting) names.
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .AddEnvironmentVariables()
    .AddInMemoryCollection(Environment.GetEnvironmentVariable("HYBRIDAI_MODEL") is { Length: > 0 } ggufPath
        ? [new("HybridAI:Models:inhouse:Path", ggufPath)]
        : [])
    .Build();

if (configuration["HybridAI:DefaultModel"] == "inhouse" && string.IsNullOrWhiteSpace(configuration["HybridAI:Models:inhouse:Path"]))
{
    return Fail("No in-house model is named: set HYBRIDAI_MODEL to a Llama GGUF file (for example a TinyLlama-1.1B-Chat Q4_K_M download, " +
        "or one made with `hybridai make-model`), or run with HybridAI__DefaultModel=assistant to use OpenAI.");
}

using var services = new ServiceCollection()
    .AddSingleton<IConfiguration>(configuration)
    .AddHybridAIOpenAI()
    .AddHybridAILlama()
    .AddSingleton<ModelCatalog>()
    .BuildServiceProvider();

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };

var question = args.Length > 0 ? string.Join(' ', args) : "How do I reset my password?";
try
{
    using var model = services.GetRequiredService<ModelCatalog>().CreateDefault();
    await new SupportAssistant(model).AnswerAsync(question, Console.Out, cancellation.Token);
    return 0;
}
catch (ChatModelException ex) when (ex.Kind == ChatModelErrorKind.Authentication)
{
    return Fail($"{ex.Message} To try a local OpenAI-compatible server instead (Ollama, vLLM, llama.cpp server), start it "
        + "and run with HybridAI__DefaultModel=local; its Endpoint is in appsettings.json.");
}
catch (ChatModelException ex) when (ex.Kind == ChatModelErrorKind.Unavailable)
{
    return Fail($"{ex.Message} Is the server running, and are the Endpoint and Model in appsettings.json right?");
}
catch (HybridAIException ex)
{
    return Fail(ex.Message);
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    return Fail("Cancelled.");
}

static int Fail(string message)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine(message);
    return 1;
}
