using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Flow.Generators.Model;

namespace Flow.Generators.Rules;

/// <summary>The checks of a flow's artifacts and parameters (category Flow.Artifacts): types, foreach collections, reads and writes. Each reports one rule.</summary>
internal static class ArtifactRules
{
    /// <summary>FLOW029: [Foreach] names an artifact of an enumerable type.</summary>
    public static IEnumerable<Finding> ForeachArtifact(FlowDeclaration flow, FlowFacts facts)
    {
        foreach (var step in flow.Steps.Where(s => s.Transition == Transition.Foreach && s.ForeachElement is null))
        {
            var artifact = flow.Artifacts.FirstOrDefault(a => a.Name == step.ForeachArtifact);
            yield return artifact is null
                ? Finding.At(step.ForeachLocation, step.ForeachArtifact ?? "", $"is not an artifact of flow {flow.Name}; name a public read-write property with nameof(...)")
                : Finding.At(step.ForeachLocation, artifact.Name,
                    $"has type {artifact.Property.Type.ToDisplayString()}, which is not enumerable; use an array, a list or another IEnumerable<T>");
        }
    }

    /// <summary>
    /// FLOW031: an artifact a step reads is set on every path into it; after a join, only what the join sets
    /// or merges is visible. Needs the bodies' paths.
    /// </summary>
    public static IEnumerable<Finding> MaybeUnset(FlowDeclaration flow, FlowFacts facts)
    {
        var found = new List<Finding>();
        Availability(flow, facts, found);
        return found;
    }

    /// <summary>
    /// The artifacts a run's end task has on every path: what FLOW031 finds set at the exit of the end step. Null
    /// when the flow has no end step or its graph is not ordered (its own rules report why). Needs the bodies' paths.
    /// </summary>
    public static ImmutableHashSet<string>? AtEnd(FlowDeclaration flow, FlowFacts facts) =>
        facts.IsOrdered && flow.ByName.ContainsKey("End") && Availability(flow, facts, null).TryGetValue("End", out var atEnd) ? atEnd : null;

    /// <summary>
    /// The artifacts set on every path at the exit of each step, in the order of the graph; the reads that are not
    /// set on every path into their step go to <paramref name="unset"/> (FLOW031).
    /// </summary>
    private static Dictionary<string, ImmutableHashSet<string>> Availability(FlowDeclaration flow, FlowFacts facts, List<Finding>? unset)
    {
        var parameters = flow.Artifacts.Where(a => a.IsParameter).Select(a => a.Name).ToImmutableHashSet();

        // An initializer gives every instance a value, which the runtime keeps; a join's instance only has it, not the branches' values.
        var initial = parameters.Union(flow.Artifacts.Where(a => a.HasInitializer).Select(a => a.Name));
        var catchVariables = flow.Steps.Where(s => s.CatchArtifact is not null).Select(s => s.CatchArtifact!).ToImmutableHashSet();
        var exit = new Dictionary<string, ImmutableHashSet<string>>();
        foreach (var step in facts.Order)
        {
            var parents = facts.ParentsInOrder(step).ToList();

            // A foreach's children get their element, never the whole collection (the runtime does not load it for them).
            var fromParents = parents.Count == 0
                ? initial
                : parents.Select(p => p.Transition == Transition.Foreach && p.ForeachArtifact is { } collection ? exit[p.Name].Remove(collection) : exit[p.Name])
                    .Aggregate((a, b) => a.Intersect(b));
            var available = step.IsJoin ? parameters : step.IsStart ? initial : fromParents;
            var merged = step.IsJoin ? fromParents.Except(step.Body.MergeExcluded) : ImmutableHashSet<string>.Empty;
            var hint = step.IsJoin
                ? "; after a join only what the join sets or merges is visible: read it from the inputs, set it, or call MergeArtifacts(inputs) first"
                : "; set it in an earlier step on every path";
            foreach (var read in step.Body.UnsafeReads.Where(r => !available.Contains(r.Name) && !catchVariables.Contains(r.Name)))
            {
                var foreachHint = !step.IsJoin && flow.Steps.Any(s => s.Transition == Transition.Foreach && s.ForeachArtifact == read.Name)
                    ? "; inside a foreach each task gets only its element (the parameter of the step after the foreach), not the whole collection"
                    : hint;
                unset?.Add(Finding.At(read.Location, read.Name, step.Name, foreachHint));
            }

            foreach (var read in step.Body.MergedReads.Where(r => !available.Contains(r.Name) && !merged.Contains(r.Name) && !catchVariables.Contains(r.Name)))
            {
                unset?.Add(Finding.At(read.Location, read.Name, step.Name, hint));
            }

            var result = step.HasCatch ? available : available.Union(step.Body.WrittenAtExit);
            if (step.IsJoin && step.Body.MergesArtifacts)
            {
                result = result.Union(merged);
            }

            if (step.CatchArtifact is { } caught)
            {
                result = result.Add(caught);
            }

            exit[step.Name] = result;
        }

        return exit;
    }

    /// <summary>FLOW032: every artifact's type can be stored.</summary>
    public static IEnumerable<Finding> NotSerializable(FlowDeclaration flow, FlowFacts facts)
    {
        foreach (var artifact in flow.Artifacts)
        {
            if (!TypeRules.IsSerializable(artifact.Property.Type, flow.Symbols, out var why))
            {
                yield return Finding.At(artifact.Location, artifact.Name, artifact.Property.Type.ToDisplayString(), why);
            }
        }
    }

    /// <summary>FLOW033: no step assigns a parameter.</summary>
    public static IEnumerable<Finding> ParameterAssigned(FlowDeclaration flow, FlowFacts facts) =>
        from step in flow.Steps
        from write in step.Body.Writes
        let artifact = flow.Artifacts.FirstOrDefault(a => a.Name == write.Name)
        where artifact is { IsParameter: true }
        select Finding.At(write.Location, artifact.Name, artifact.OptionName ?? artifact.Name);

    /// <summary>FLOW038: a parameter is a public read-write instance property of a type the command line can give.</summary>
    public static IEnumerable<Finding> ParameterShape(FlowDeclaration flow, FlowFacts facts) =>
        flow.ParametersWithoutAccessors.Select(p => Finding.At(p.Location, p.Name, "needs a public get and set accessor so the run can set it"))
            .Concat(flow.Artifacts.Where(a => a.IsParameter && !TypeRules.IsCommandLineType(a.Property.Type)).Select(a => Finding.At(a.Location, a.Name,
                $"has type {a.Property.Type.ToDisplayString()}, which cannot be given on the command line; use a number, string, bool, enum, Guid, DateTime, DateTimeOffset or TimeSpan")))
            .Concat(flow.HiddenParameters.Select(p => Finding.At(p.Location, p.Name,
                "must be a public instance property with a public get and set accessor so the run can set it")));
}
