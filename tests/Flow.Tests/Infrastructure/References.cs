using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Flow.Tests.Infrastructure;

/// <summary>
/// Metadata references for compiling flows in tests: the running .NET runtime's assemblies (ASP.NET Core's among
/// them: the tests reference Flow.Hosting, so they run on its shared framework), Flow's runtime and Flow.Hosting.
/// </summary>
public static class References
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_all = new(Load);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_withoutHosting = new(() =>
        All.Where(r => !string.Equals(r.Display, typeof(global::Flow.Hosting.WebServiceDefinition).Assembly.Location, StringComparison.Ordinal)).ToImmutableArray());

    public static ImmutableArray<MetadataReference> All => s_all.Value;

    /// <summary>The references of a program that does not reference Flow.Hosting (ASP.NET Core's assemblies stay: they are the platform's).</summary>
    public static ImmutableArray<MetadataReference> WithoutHosting => s_withoutHosting.Value;

    private static ImmutableArray<MetadataReference> Load()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(p).StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)
                || Path.GetFileName(p).StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
                || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll");
        var flow = new[]
        {
            typeof(FlowSpec).Assembly.Location,
            typeof(MessagePack.MessagePackSerializer).Assembly.Location,
            typeof(MessagePack.MessagePackObjectAttribute).Assembly.Location,
            typeof(global::Flow.Hosting.WebServiceDefinition).Assembly.Location,
        };
        return platform.Concat(flow).Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}
