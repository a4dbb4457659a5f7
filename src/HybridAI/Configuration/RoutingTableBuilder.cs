using System.Text;
using Microsoft.Extensions.Configuration;

namespace HybridAI;

/// <summary>
/// Validates the <c>HybridAI</c> configuration section and compiles it into a <see cref="RoutingTable"/>, listing every
/// problem at once. Models whose settings did not change since the previous table are reused, circuit state included.
/// </summary>
/// <remarks>Not thread-safe; the router serialises builds.</remarks>
internal sealed class RoutingTableBuilder(
    IEnumerable<IChatModelProvider> providers, RouterServices services, Func<string, string?> environment)
{
    private const string DefaultRouteName = "Default";

    /// <summary>Builds a table, or returns the problems that prevent it.</summary>
    /// <param name="section">The <c>HybridAI</c> section.</param>
    /// <param name="previous">The table in use, whose unchanged models are reused.</param>
    /// <param name="created">Receives the models created for the new table (the caller disposes them if it is rejected).</param>
    public (RoutingTable? Table, List<string> Problems) Build(IConfiguration section, RoutingTable? previous, List<ModelEntry> created)
    {
        var reader = new ConfigurationReader();
        var root = section as IConfigurationSection;
        var defaultClassification = root is null ? null : reader.Enum<DataClassification>(root, "DefaultClassification");
        var fallbackKinds = root is null ? [] : reader.EnumList<ChatModelErrorKind>(root, "FallbackOn");
        var globalFallback = fallbackKinds.Count > 0 ? new FallbackRule(fallbackKinds) : FallbackRule.Default;

        var models = BuildModels(section.GetSection("Models"), previous, created, reader);
        var routes = new Dictionary<string, CompiledRoute>(StringComparer.OrdinalIgnoreCase);
        CompiledRoute? defaultRoute = null;
        var routesSection = section.GetSection("Routes");
        foreach (var routeSection in routesSection.GetChildren())
        {
            var route = BuildRoute(routeSection, models, globalFallback, defaultClassification ?? DataClassification.Internal, reader);
            if (string.Equals(routeSection.Key, DefaultRouteName, StringComparison.OrdinalIgnoreCase))
            {
                defaultRoute = route;
            }
            else if (route is not null)
            {
                routes[routeSection.Key] = route;
            }
        }

        if (!routesSection.GetSection(DefaultRouteName).Exists())
        {
            reader.Problem(routesSection.GetSection(DefaultRouteName), "a default route is required (it serves calls without a feature route).");
        }

        var budgets = BuildBudgets(section.GetSection("Budgets"), reader);
        var shadow = section.GetSection("Shadow");
        var shadowConcurrency = reader.Int(shadow, "MaxConcurrency") ?? 4;
        if (shadowConcurrency is < 0 or > 1024)
        {
            reader.Problem(shadow.GetSection("MaxConcurrency"), "must be between 0 and 1024.");
        }

        var shadowTimeout = reader.Duration(shadow, "Timeout") ?? TimeSpan.FromMinutes(2);
        var affinityIdle = reader.Duration(section.GetSection("Affinity"), "IdleTimeout") ?? TimeSpan.FromHours(1);

        if (reader.Problems.Count > 0 || defaultRoute is null)
        {
            return (null, reader.Problems);
        }

        IRoutingPolicy[] policies =
        [
            new ConversationAffinityPolicy(services.Affinity),
            new BudgetPolicy(services.Budget),
            DataBoundaryFilter.Instance,
            CapabilityFilter.Instance,
            CostCeilingFilter.Instance,
            HealthFilter.Instance,
        ];
        var table = new RoutingTable(models.ToDictionary(p => p.Key, p => p.Value.Entry!, StringComparer.OrdinalIgnoreCase), routes,
            defaultRoute, defaultClassification ?? DataClassification.Internal, budgets, policies, shadowConcurrency, shadowTimeout, affinityIdle);
        return (table, reader.Problems);
    }

    private Dictionary<string, DeclaredModel> BuildModels(IConfigurationSection section, RoutingTable? previous, List<ModelEntry> created,
        ConfigurationReader reader)
    {
        var models = new Dictionary<string, DeclaredModel>(StringComparer.OrdinalIgnoreCase);
        if (!section.GetChildren().Any())
        {
            reader.Problem(section, "no models are declared.");
        }

        foreach (var model in section.GetChildren())
        {
            var name = model.Key;
            var problemsBefore = reader.Problems.Count;
            var providerName = ConfigurationReader.String(model, "Provider");
            if (providerName is null)
            {
                reader.Problem(model.GetSection("Provider"), "is required (for example \"openai\", \"gemini\" or \"llama\").");
            }

            var provider = providerName is null ? null : providers.FirstOrDefault(p => string.Equals(p.Name, providerName, StringComparison.OrdinalIgnoreCase));
            if (providerName is not null && provider is null)
            {
                var known = string.Join(", ", providers.Select(p => p.Name).Order(StringComparer.Ordinal));
                reader.Problem(model.GetSection("Provider"),
                    $"no provider named '{providerName}' is registered (registered: {(known.Length == 0 ? "none" : known)}); add its HybridAI adapter package.");
            }

            if (ConfigurationReader.String(model, "ApiKeyVariable") is { } variable && string.IsNullOrEmpty(environment(variable)))
            {
                reader.Problem(model.GetSection("ApiKeyVariable"), $"the environment variable '{variable}' is not set.");
            }

            var contextWindow = reader.Int(model, "ContextWindow");
            if (contextWindow is <= 0)
            {
                reader.Problem(model.GetSection("ContextWindow"), "must be positive.");
            }

            var cost = model.GetSection("Cost");
            var inputPrice = reader.Decimal(cost, "Input");
            var outputPrice = reader.Decimal(cost, "Output");
            if (inputPrice < 0m || outputPrice < 0m)
            {
                reader.Problem(cost, "prices must not be negative.");
            }

            var descriptor = new ModelDescriptor(name, providerName ?? "unknown", ConfigurationReader.String(model, "ModelId"))
            {
                Locality = reader.Enum<ModelLocality>(model, "Locality") ?? ModelLocality.Partner,
                Capabilities = ReadCapabilities(model, reader),
                ContextWindow = contextWindow,
                Cost = inputPrice is null && outputPrice is null ? null : new ModelCost(inputPrice ?? 0m, outputPrice ?? 0m),
            };

            var declared = new DeclaredModel(descriptor);
            models[name] = declared;
            var (pipeline, circuit) = (default(Polly.ResiliencePipeline), default(CircuitHealth));
            var fingerprint = Fingerprint(model);
            if (previous is not null && previous.Models.TryGetValue(name, out var existing) && existing.Fingerprint == fingerprint)
            {
                declared.Entry = existing;
                continue;
            }

            (pipeline, circuit) = ModelResilience.Build(name, model.GetSection("Resilience"), reader, services.TimeProvider);
            if (reader.Problems.Count > problemsBefore || provider is null)
            {
                continue;
            }

            try
            {
                var instance = provider.CreateModel(descriptor, model);
                declared.Entry = new ModelEntry(instance, fingerprint, pipeline, circuit, owned: true);
                created.Add(declared.Entry);
                if (!string.Equals(instance.Descriptor.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    reader.Problem(model, $"provider '{provider.Name}' returned a model named '{instance.Descriptor.Name}'; it must keep the configured name.");
                }
                else if (instance.Descriptor.Locality != descriptor.Locality)
                {
                    reader.Problem(model.GetSection("Locality"), $"provider '{provider.Name}' changed the locality to {instance.Descriptor.Locality}; the configured locality must hold.");
                }
            }
            catch (HybridAIException ex)
            {
                reader.Problem(model, ex.Message);
            }
#pragma warning disable CA1031 // A provider's unexpected failure must become a listed problem, not a crash of the reload.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                reader.Problem(model, $"provider '{provider.Name}' failed to create the model: {ex.GetType().Name}: {ex.Message}");
            }
        }

        return models;
    }

    private static ModelCapabilities ReadCapabilities(IConfigurationSection model, ConfigurationReader reader)
    {
        if (!model.GetSection("Capabilities").Exists())
        {
            return ModelCapabilities.Streaming;
        }

        var capabilities = ModelCapabilities.None;
        foreach (var value in reader.EnumList<ModelCapabilities>(model, "Capabilities"))
        {
            capabilities |= value;
        }

        return capabilities;
    }

    private CompiledRoute? BuildRoute(IConfigurationSection route, Dictionary<string, DeclaredModel> models, FallbackRule globalFallback,
        DataClassification defaultClassification, ConfigurationReader reader)
    {
        var problemsBefore = reader.Problems.Count;
        var fixedModel = ConfigurationReader.String(route, "Model");
        var rollout = route.GetSection("Rollout");
        var list = ConfigurationReader.List(route, "Models");
        var shapes = (fixedModel is null ? 0 : 1) + (rollout.Exists() ? 1 : 0) + (list.Count > 0 ? 1 : 0);
        if (shapes != 1)
        {
            reader.Problem(route, "must set exactly one of Model (a fixed model), Rollout (weights by model) or Models (with a Selection).");
        }

        var primaries = new List<ModelEntry?>();
        var declaredPrimaries = new List<DeclaredModel>();
        int[]? weights = null;
        IRoutingPolicy selection = FixedModelPolicy.Instance;
        if (fixedModel is not null)
        {
            Resolve(fixedModel, route.GetSection("Model"));
        }
        else if (rollout.Exists())
        {
            var pairs = new List<(string Model, int Weight, IConfigurationSection Section)>();
            foreach (var item in rollout.GetChildren())
            {
                if (reader.Int(rollout, item.Key) is { } weight)
                {
                    if (weight < 0)
                    {
                        reader.Problem(item, "a weight must not be negative.");
                    }

                    pairs.Add((item.Key, weight, item));
                }
            }

            var total = pairs.Sum(p => p.Weight);
            if (total != 100)
            {
                reader.Problem(rollout, $"weights must add up to 100; they add up to {total}.");
            }

            // Weight 0 keeps a model declared in the rollout but sends it nothing; the rest are ordered by weight, so
            // that after the sticky choice the heavier models serve as fallbacks first.
            var active = pairs.Where(p => p.Weight > 0).OrderByDescending(p => p.Weight).ToList();
            foreach (var pair in pairs.Where(p => p.Weight == 0))
            {
                Known(pair.Model, pair.Section);
            }

            foreach (var pair in active)
            {
                Resolve(pair.Model, pair.Section);
            }

            weights = [.. active.Select(p => p.Weight)];
            selection = new WeightedRolloutPolicy(weights);
        }
        else if (list.Count > 0)
        {
            foreach (var name in list)
            {
                Resolve(name, route.GetSection("Models"));
            }

            switch (ConfigurationReader.String(route, "Selection")?.ToUpperInvariant())
            {
                case null or "ORDERED":
                    break;
                case "CHEAPEST":
                    selection = CheapestModelPolicy.Instance;
                    break;
                case "FASTEST" or "LOWESTLATENCY":
                    selection = new LowestLatencyPolicy(services.Latency);
                    break;
                default:
                    reader.Problem(route.GetSection("Selection"), "must be Ordered, Cheapest or Fastest.");
                    break;
            }
        }

        var fallbacks = new List<ModelEntry?>();
        var declaredFallbacks = new List<DeclaredModel>();
        foreach (var name in ConfigurationReader.List(route, "Fallbacks"))
        {
            if (Known(name, route.GetSection("Fallbacks")) is { } declared)
            {
                declaredFallbacks.Add(declared);
                fallbacks.Add(declared.Entry);
            }
        }

        DeclaredModel? shadow = null;
        if (ConfigurationReader.String(route, "Shadow") is { } shadowName)
        {
            shadow = Known(shadowName, route.GetSection("Shadow"));
        }

        var routeClassification = reader.Enum<DataClassification>(route, "Classification");
        var fallbackKinds = reader.EnumList<ChatModelErrorKind>(route, "FallbackOn");
        var effectiveClassification = routeClassification > defaultClassification ? routeClassification.Value : defaultClassification;
        if (effectiveClassification == DataClassification.Sensitive)
        {
            if (!declaredPrimaries.Concat(declaredFallbacks).Any(m => m.Descriptor.Locality == ModelLocality.InHouse))
            {
                reader.Problem(route, "the route carries sensitive data but none of its models or fallbacks is in-house.");
            }

            if (shadow is not null && shadow.Descriptor.Locality != ModelLocality.InHouse)
            {
                reader.Problem(route.GetSection("Shadow"), $"the route carries sensitive data and its shadow '{shadow.Descriptor.Name}' is not in-house.");
            }
        }

        if (reader.Problems.Count > problemsBefore || primaries.Any(p => p is null) || fallbacks.Any(f => f is null)
            || (shadow is not null && shadow.Entry is null))
        {
            return null;
        }

        if (primaries.Count + fallbacks.Count > 64)
        {
            reader.Problem(route, "a route may name at most 64 models in all.");
            return null;
        }

        return new CompiledRoute(string.Equals(route.Key, DefaultRouteName, StringComparison.OrdinalIgnoreCase) ? "default" : route.Key, [.. primaries!], weights, [.. fallbacks!],
            shadow?.Entry, routeClassification, fallbackKinds.Count > 0 ? new FallbackRule(fallbackKinds) : globalFallback, selection);

        DeclaredModel? Known(string name, IConfigurationSection where)
        {
            if (models.TryGetValue(name, out var declared))
            {
                return declared;
            }

            reader.Problem(where, $"unknown model '{name}' (declared: {string.Join(", ", models.Keys.Order(StringComparer.Ordinal))}).");
            return null;
        }

        void Resolve(string name, IConfigurationSection where)
        {
            if (Known(name, where) is { } declared)
            {
                declaredPrimaries.Add(declared);
                primaries.Add(declared.Entry);
            }
        }
    }

    private static Dictionary<string, FeatureBudget> BuildBudgets(IConfigurationSection section, ConfigurationReader reader)
    {
        var budgets = new Dictionary<string, FeatureBudget>(StringComparer.OrdinalIgnoreCase);
        foreach (var budget in section.GetChildren())
        {
            var limit = reader.Decimal(budget, "Limit");
            if (limit is null or <= 0m)
            {
                reader.Problem(budget.GetSection("Limit"), "a positive limit is required.");
            }

            var preferCheaperAt = reader.Decimal(budget, "PreferCheaperAt") ?? 0.8m;
            if (preferCheaperAt is < 0m or > 1m)
            {
                reader.Problem(budget.GetSection("PreferCheaperAt"), "must be a fraction of the limit between 0 and 1.");
            }

            var period = reader.Enum<BudgetPeriod>(budget, "Period") ?? BudgetPeriod.Day;
            var action = reader.Enum<BudgetExceededAction>(budget, "WhenExceeded") ?? BudgetExceededAction.Refuse;
            budgets[budget.Key] = new FeatureBudget(limit ?? 0m, period, preferCheaperAt, action);
        }

        return budgets;
    }

    private static string Fingerprint(IConfigurationSection model)
    {
        var text = new StringBuilder();
        foreach (var pair in model.AsEnumerable(makePathsRelative: true).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(pair.Key).Append('=').Append(pair.Value).Append('\n');
        }

        return text.ToString();
    }

    private sealed class DeclaredModel(ModelDescriptor descriptor)
    {
        public ModelDescriptor Descriptor { get; } = descriptor;

        public ModelEntry? Entry { get; set; }
    }
}
