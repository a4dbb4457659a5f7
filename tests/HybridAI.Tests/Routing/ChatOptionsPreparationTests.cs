using System.Reflection;
using Microsoft.Extensions.AI;

namespace HybridAI.Tests;

public sealed class ChatOptionsPreparationTests
{
    [Fact]
    public void ShallowCopy_CopiesEverySettableProperty()
    {
        var options = new ChatOptions();
        var properties = typeof(ChatOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.CanRead).ToList();
        foreach (var property in properties)
        {
            property.SetValue(options, Sample(property.PropertyType));
        }

        var copy = HybridRouter.ShallowCopy(options);

        Assert.All(properties, p => Assert.Equal(p.GetValue(options), p.GetValue(copy)));
    }

    [Fact]
    public void PrepareOptions_ContextAndOtherProperties_RemovesOnlyContext()
    {
        var options = new ChatOptions { AdditionalProperties = new() { ["keep"] = 1 } }.WithRouting(new ChatRoutingContext());

        var prepared = HybridRouter.PrepareOptions(options, moved: false)!;

        Assert.Equal(["keep"], prepared.AdditionalProperties!.Keys);
        Assert.Equal(2, options.AdditionalProperties!.Count);
    }

    [Fact]
    public void PrepareOptions_DerivedOptionsType_ClonesPreservingType()
    {
        var options = new DerivedOptions { ModelId = "x" };

        var prepared = HybridRouter.PrepareOptions(options, moved: false);

        Assert.IsType<DerivedOptions>(prepared);
        Assert.Null(prepared!.ModelId);
    }

    private static object? Sample(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target == typeof(string) ? "s"
            : target == typeof(float) ? 0.25f
            : target == typeof(int) ? 7
            : target == typeof(long) ? 9L
            : target == typeof(bool) ? true
            : target == typeof(ChatResponseFormat) ? ChatResponseFormat.Json
            : target == typeof(ChatToolMode) ? ChatToolMode.RequireAny
            : target == typeof(IList<string>) ? new List<string> { "stop" }
            : target == typeof(IList<AITool>) ? new List<AITool>()
            : target == typeof(AdditionalPropertiesDictionary) ? new AdditionalPropertiesDictionary { ["k"] = "v" }
            : target == typeof(Func<IChatClient, object?>) ? new Func<IChatClient, object?>(_ => null)
            : target.IsClass && target.GetConstructor(Type.EmptyTypes) is { } constructor ? constructor.Invoke(null)
            : target.IsClass && !target.IsAbstract ? System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(target)
            : null;
    }

    private sealed class DerivedOptions : ChatOptions
    {
        public DerivedOptions()
        {
        }

        private DerivedOptions(DerivedOptions other)
            : base(other)
        {
        }

        public override ChatOptions Clone() => new DerivedOptions(this);
    }
}
