using System.Collections.Generic;
using System.Linq;
using Flow.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Flow.Generators.Rules;

/// <summary>The checks of a flow class and its step methods (category Flow.Steps): names, signatures, Next calls. Each reports one rule.</summary>
internal static class StepRules
{
    /// <summary>FLOW001: no step or artifact takes a name FlowSpec uses.</summary>
    public static IEnumerable<Finding> ReservedName(FlowDeclaration flow, FlowFacts facts)
    {
        var reserved = flow.Symbols.ReservedNames;
        return flow.Artifacts.Where(a => reserved.Contains(a.Name)).Select(a => Finding.At(a.Location, a.Name, "artifact"))
            .Concat(flow.Steps.Where(s => reserved.Contains(s.Name)).Select(s => Finding.At(s.Location, s.Name, "step")));
    }

    /// <summary>FLOW004: a step method is not overloaded or declared twice.</summary>
    public static IEnumerable<Finding> DuplicateStep(FlowDeclaration flow, FlowFacts facts) =>
        flow.DuplicateSteps.Select(d => Finding.At(d.Location, d.Name, flow.Name));

    /// <summary>FLOW008: a step is an instance method returning void, and takes nothing, its foreach item, or its join inputs.</summary>
    public static IEnumerable<Finding> StepSignature(FlowDeclaration flow, FlowFacts facts)
    {
        foreach (var step in flow.Steps)
        {
            var method = step.Method;
            if (method.IsStatic)
            {
                yield return Finding.At(step.Location, step.Name, "must not be static");
            }

            if (method.IsGenericMethod)
            {
                yield return Finding.At(step.Location, step.Name, "must not be generic");
            }

            if (method.IsPartialDefinition || method.PartialDefinitionPart is not null)
            {
                yield return Finding.At(step.Location, step.Name, "must not be a partial method; declare the step once, with its body");
            }

            if (method.IsAsync || !method.ReturnsVoid)
            {
                yield return Finding.At(step.Location, step.Name, "must return void and not be async; a step finishes when its method returns");
            }

            if (step.IsJoin)
            {
                continue;
            }

            if (method.Parameters.Length > 1)
            {
                yield return Finding.At(step.Location, step.Name,
                    $"takes {method.Parameters.Length} parameters; a step takes none, a foreach child takes its item, and a join takes JoinInputs<{flow.Name}>");
            }
            else if (step.Item is { } item)
            {
                if (item.RefKind != RefKind.None || item.IsParams)
                {
                    yield return Finding.At(step.ItemLocation, step.Name, "must take its item by value");
                }

                if (!flow.Steps.Any(p => p.Transition == Transition.Foreach && p.Next.Contains(step.Name)))
                {
                    yield return Finding.At(step.ItemLocation ?? step.Location, step.Name,
                        $"takes the parameter '{item.Name}', but no [Foreach] step goes to it; remove the parameter, or add [Foreach] to its parent");
                }
            }
        }
    }

    /// <summary>FLOW009: a join takes exactly one parameter, JoinInputs of its own flow.</summary>
    public static IEnumerable<Finding> JoinSignature(FlowDeclaration flow, FlowFacts facts)
    {
        foreach (var step in flow.Steps.Where(s => s.IsJoin))
        {
            var inputs = step.Method.Parameters.First(p => p.Type is INamedTypeSymbol named
                && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, flow.Symbols.JoinInputs));
            if (step.Method.Parameters.Length != 1 || !SymbolEqualityComparer.Default.Equals(((INamedTypeSymbol)inputs.Type).TypeArguments[0], flow.Type))
            {
                yield return Finding.At(step.Location, step.Name, flow.Name);
            }
        }
    }

    /// <summary>FLOW011: every path through a step (but End) calls Next. Needs the body's paths.</summary>
    public static IEnumerable<Finding> MissingNext(FlowDeclaration flow, FlowFacts facts) =>
        flow.Steps.Where(s => !s.IsEnd && s.Body.CanMissNext).Select(s =>
            Finding.At(s.Location, s.Name).With(DiagnosticProperties.HasNext, s.Body.NextCalls.Count > 0 ? "true" : "false"));

    /// <summary>FLOW012: no path through a step calls Next twice. Needs the body's paths.</summary>
    public static IEnumerable<Finding> MultipleNext(FlowDeclaration flow, FlowFacts facts) =>
        flow.Steps.Where(s => !s.IsEnd && s.Body.RepeatedNext is not null).Select(s => Finding.At(s.Body.RepeatedNext, s.Name));

    /// <summary>FLOW030: the step after a foreach takes one element of its collection.</summary>
    public static IEnumerable<Finding> ForeachItem(FlowDeclaration flow, FlowFacts facts)
    {
        // A join right after a foreach is reported as such (FLOW024), not for its parameter.
        foreach (var step in flow.Steps.Where(s => !s.IsJoin))
        {
            foreach (var parent in flow.Steps.Where(p => p.Transition == Transition.Foreach && p.Next.Contains(step.Name)))
            {
                if (parent.ForeachElement is { } element && (step.ItemType is null || !Matches(element, step.ItemType)))
                {
                    yield return Finding.At(step.ItemLocation ?? step.Location, step.Name, parent.ForeachArtifact!, element.ToDisplayString());
                }
            }
        }

        static bool Matches(ITypeSymbol element, ITypeSymbol parameter) =>
            SymbolEqualityComparer.Default.Equals(element.WithNullableAnnotation(NullableAnnotation.None), parameter.WithNullableAnnotation(NullableAnnotation.None));
    }

    /// <summary>FLOW035: the flow class is one Flow can generate into and create.</summary>
    public static IEnumerable<Finding> FlowShape(FlowDeclaration flow, FlowFacts facts)
    {
        var problems = new List<string>();
        if (!flow.IsPartial)
        {
            problems.Add("declared 'partial' so that Flow can generate its graph");
        }

        if (flow.IsNested)
        {
            problems.Add("declared at namespace level, not nested in another type");
        }

        if (flow.IsGeneric)
        {
            problems.Add("non-generic");
        }

        if (flow.Type.IsAbstract || flow.Type.IsStatic)
        {
            problems.Add("a concrete class, not abstract or static");
        }

        if (!flow.HasParameterlessConstructor)
        {
            problems.Add("creatable: give it a parameterless constructor");
        }
        else if (flow.UnsetRequiredMembers.Count > 0)
        {
            problems.Add($"creatable with new {flow.Name}(), which leaves the required {(flow.UnsetRequiredMembers.Count == 1 ? "member" : "members")} {string.Join(" and ", flow.UnsetRequiredMembers)} unset: remove 'required' (a step sets an artifact), or set {(flow.UnsetRequiredMembers.Count == 1 ? "it" : "them")} in a parameterless constructor marked [SetsRequiredMembers]");
        }

        if (problems.Count > 0)
        {
            yield return Finding.At(flow.Location, flow.Name, string.Join(", ", problems));
        }
    }

    /// <summary>FLOW036: step attributes are on steps, Start and End have [Step], and [Step] is only in flows.</summary>
    public static IEnumerable<Finding> MisplacedAttribute(FlowDeclaration flow, FlowFacts facts) =>
        flow.MisplacedAttributes.Select(m => Finding.At(m.Location, $"[{m.Attribute}] is on {m.Method}, which is not a step; add [Step] or remove it"))
            .Concat(flow.UnmarkedSteps.Select(m => Finding.At(m.Location, $"{m.Name} looks like the {m.Name.ToLowerInvariant()} step but has no [Step]; add [Step]")))
            .Concat(flow.StepsOutsideFlow.Select(m => Finding.At(m.Location,
                $"[Step] is on {flow.Name}.{m.Name}, but {flow.Name} does not derive from FlowSpec; derive it from FlowSpec or remove [Step]")));

    /// <summary>FLOW037: Next is called in a step's own body, not in a lambda, a local function or another method.</summary>
    public static IEnumerable<Finding> NextOutsideStep(FlowDeclaration flow, FlowFacts facts) =>
        flow.Steps.SelectMany(s => s.Body.NestedNext).Select(n => Finding.At(n.Location, n.Name))
            .Concat(flow.NextOutsideSteps.Select(m => Finding.At(m.Location, $"{m.Name}, which is not a step; call Next in the step itself")));
}
