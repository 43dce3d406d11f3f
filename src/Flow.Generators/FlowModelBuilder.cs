using System.Linq;
using Flow.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Flow.Generators;

/// <summary>Turns a valid flow's declaration and facts into the equatable model the emitter writes from.</summary>
internal static class FlowModelBuilder
{
    private static readonly SymbolDisplayFormat FullyQualified = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static FlowModel Build(FlowDeclaration flow, FlowFacts facts, Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        var type = flow.Type;

        // What a step names is all it can touch only when every artifact is a plain auto-property (an accessor with
        // a body could read or write other artifacts) and the flow declares no constructor (which could hand
        // `this` to something a step then calls).
        var plainArtifacts = flow.Artifacts.All(a => a.IsAutoProperty) && flow.HasOnlyImplicitConstructors;
        var steps = flow.Steps.Select(s => Step(s, s.CacheVersion is null ? null : CodeHash.Of(flow, s, compilation, cancellationToken))).ToEquatableArray();
        StepModel Step(StepDeclaration s, CodeHash.Result? code) => new StepModel(
            s.Name,
            s.Kind,
            s.Transition.ToString(),
            s.Next.ToEquatableArray(),
            s.IsJoin,
            s.ForeachArtifact,
            s.Transition == Transition.Foreach ? s.ForeachElement?.ToDisplayString(FullyQualified) : null,
            s.Transition == Transition.Foreach ? s.ForeachElement?.ToDisplayString() : null,
            s.Transition is Transition.Split or Transition.Foreach ? facts.MatchingJoin(s.Name) : null,
            s.ItemType?.ToDisplayString(FullyQualified),
            s.Resources,
            s.Retry,
            s.HasCatch,
            s.CatchArtifact,
            s.Timeout is { } timeout ? (int)timeout.TotalSeconds : null,
            s.Environment.Select(e => new EnvironmentModel(e.Name!, e.Value ?? "")).ToEquatableArray(),
            s.Slurm,
            // A set to the runtime: in name order, so that reordering the writes in a body regenerates nothing.
            s.Body.Writes.Select(w => w.Name).Distinct().OrderBy(w => w, System.StringComparer.Ordinal).ToEquatableArray(),
            plainArtifacts && s.Body.Uses is { } uses ? uses.OrderBy(u => u, System.StringComparer.Ordinal).ToEquatableArray() : null,
            s.Cards.Select(c => c.Id!).ToEquatableArray(),
            s.CacheVersion,
            // Its Files, then the scripts it runs with a constant path, each once, in that order.
            code is null ? EquatableArray<string>.Empty : s.CacheFiles.Select(f => f ?? "").Concat(code.Scripts).Distinct(System.StringComparer.Ordinal).ToEquatableArray(),
            // A plain string, so the model stays equatable: only a [Cache] step's own code (and what it calls) changes it.
            code?.Hash);
        var artifacts = flow.Artifacts.Select(a => new ArtifactModel(
            a.Name,
            a.Property.Type.ToDisplayString(FullyQualified),
            a.Property.Type.ToDisplayString(),
            a.IsParameter,
            a.OptionName,
            a.Help,
            a.Required)).ToEquatableArray();
        return new FlowModel(
            type.Name,
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            type.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
            steps,
            artifacts,
            flow.Schedule is { } schedule ? schedule.Cron ?? schedule.Shortcuts[0] : null,
            flow.Project,
            facts.BranchAccessors.ToEquatableArray());
    }
}
