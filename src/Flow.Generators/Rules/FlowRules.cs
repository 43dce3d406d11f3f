using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Flow.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Flow.Generators.Rules;

/// <summary>What one check found: where, the message arguments, and properties for a code fix.</summary>
internal sealed record Finding(LocationInfo? Location, ImmutableArray<string> Arguments, ImmutableDictionary<string, string?> Properties)
{
    public static Finding At(LocationInfo? location, params string[] arguments) =>
        new(location, arguments.ToImmutableArray(), ImmutableDictionary<string, string?>.Empty);

    public Finding With(string key, string? value) => this with { Properties = Properties.SetItem(key, value) };
}

/// <summary>A check of a finished flow declaration and its facts; it reads them and never changes them.</summary>
internal delegate IEnumerable<Finding> Check(FlowDeclaration flow, FlowFacts facts);

/// <summary>A rule and the check that reports it.</summary>
/// <param name="Rule">The rule, from <see cref="RuleCatalogue"/>.</param>
/// <param name="Check">The check: every finding it yields is a failure of <paramref name="Rule"/>.</param>
/// <param name="OnEveryPath">Whether the check needs what holds on every path through a step body (see <see cref="StepBodyReader.ReadPaths"/>).</param>
/// <param name="OutsideFlows">Whether the check also applies to a class with [Step] methods that is not a flow.</param>
internal sealed record FlowRule(DiagnosticDescriptor Rule, Check Check, bool OnEveryPath = false, bool OutsideFlows = false);

/// <summary>A check of a web service (or of a class with [Endpoint] methods); it reads the declaration and never changes it.</summary>
internal delegate IEnumerable<Finding> ServiceCheck(ServiceDeclaration service);

/// <summary>A service rule and the check that reports it.</summary>
/// <param name="Rule">The rule, from <see cref="RuleCatalogue"/>.</param>
/// <param name="Check">The check: every finding it yields is a failure of <paramref name="Rule"/>.</param>
/// <param name="NeedsWholeCompilation">
/// Whether the check needs the whole compilation: what the served flow's step bodies do on every path (see
/// <see cref="ServiceDeclaration.ArtifactsAtEnd"/>), or the program's other services. The analyzer runs those at its end.
/// </param>
/// <param name="OutsideServices">Whether the check applies to a class with [Endpoint] methods that is not a service.</param>
internal sealed record ServiceRule(DiagnosticDescriptor Rule, ServiceCheck Check, bool NeedsWholeCompilation = false, bool OutsideServices = false);

/// <summary>
/// Every check of a flow, one entry per rule, in the catalogue's order. The generator and the analyzer run
/// this list, and nothing else reports a FLOW rule.
/// </summary>
internal static class FlowRules
{
    public static readonly ImmutableArray<FlowRule> All = ImmutableArray.Create(
        new FlowRule(RuleCatalogue.ReservedName, StepRules.ReservedName),
        new FlowRule(RuleCatalogue.MissingStart, GraphRules.MissingStart),
        new FlowRule(RuleCatalogue.MissingEnd, GraphRules.MissingEnd),
        new FlowRule(RuleCatalogue.DuplicateStep, StepRules.DuplicateStep),
        new FlowRule(RuleCatalogue.TransitionToStart, GraphRules.TransitionToStart),
        new FlowRule(RuleCatalogue.NextInEnd, GraphRules.NextInEnd),
        new FlowRule(RuleCatalogue.EndIsJoin, GraphRules.EndIsJoin),
        new FlowRule(RuleCatalogue.StepSignature, StepRules.StepSignature),
        new FlowRule(RuleCatalogue.JoinSignature, StepRules.JoinSignature),
        new FlowRule(RuleCatalogue.JoinAndSplit, GraphRules.JoinAndSplit),
        new FlowRule(RuleCatalogue.MissingNext, StepRules.MissingNext, OnEveryPath: true),
        new FlowRule(RuleCatalogue.MultipleNext, StepRules.MultipleNext, OnEveryPath: true),
        new FlowRule(RuleCatalogue.InvalidTarget, GraphRules.InvalidTarget),
        new FlowRule(RuleCatalogue.ForeachTransition, GraphRules.ForeachTransition),
        new FlowRule(RuleCatalogue.EmptyNext, GraphRules.EmptyNext),
        new FlowRule(RuleCatalogue.Cycle, GraphRules.Cycle),
        new FlowRule(RuleCatalogue.Unreachable, GraphRules.Unreachable),
        new FlowRule(RuleCatalogue.JoinWithoutSplit, GraphRules.JoinWithoutSplit),
        new FlowRule(RuleCatalogue.UnrelatedJoin, GraphRules.UnrelatedJoin),
        new FlowRule(RuleCatalogue.OpenSplitAtEnd, GraphRules.OpenSplitAtEnd),
        new FlowRule(RuleCatalogue.NeedsJoin, GraphRules.NeedsJoin),
        new FlowRule(RuleCatalogue.JoinMissesBranch, GraphRules.JoinMissesBranch),
        new FlowRule(RuleCatalogue.SplitJoinedTwice, GraphRules.SplitJoinedTwice),
        new FlowRule(RuleCatalogue.ForeachStraightToJoin, GraphRules.ForeachStraightToJoin),
        new FlowRule(RuleCatalogue.ConditionalIntoJoin, GraphRules.ConditionalIntoJoin),
        new FlowRule(RuleCatalogue.InvalidDecorator, DecoratorRules.InvalidDecorator),
        new FlowRule(RuleCatalogue.CatchOnFanOut, DecoratorRules.CatchOnFanOut),
        new FlowRule(RuleCatalogue.CatchArtifact, DecoratorRules.CatchArtifact),
        new FlowRule(RuleCatalogue.InvalidCard, DecoratorRules.InvalidCard),
        new FlowRule(RuleCatalogue.ForeachArtifact, ArtifactRules.ForeachArtifact),
        new FlowRule(RuleCatalogue.ForeachItem, StepRules.ForeachItem),
        new FlowRule(RuleCatalogue.MaybeUnset, ArtifactRules.MaybeUnset, OnEveryPath: true),
        new FlowRule(RuleCatalogue.NotSerializable, ArtifactRules.NotSerializable),
        new FlowRule(RuleCatalogue.ParameterAssigned, ArtifactRules.ParameterAssigned),
        new FlowRule(RuleCatalogue.UnknownBranch, GraphRules.UnknownBranch),
        new FlowRule(RuleCatalogue.FlowShape, StepRules.FlowShape),
        new FlowRule(RuleCatalogue.MisplacedAttribute, StepRules.MisplacedAttribute, OutsideFlows: true),
        new FlowRule(RuleCatalogue.NextOutsideStep, StepRules.NextOutsideStep),
        new FlowRule(RuleCatalogue.ParameterShape, ArtifactRules.ParameterShape),
        new FlowRule(RuleCatalogue.ConditionalSplit, GraphRules.ConditionalSplit));

    /// <summary>Every check of a web service, one entry per rule, in the catalogue's order (after the flows').</summary>
    public static readonly ImmutableArray<ServiceRule> Services = ImmutableArray.Create(
        new ServiceRule(RuleCatalogue.EndpointOutsideService, ServiceRules.EndpointOutsideService, OutsideServices: true),
        new ServiceRule(RuleCatalogue.ServiceOverNonFlow, ServiceRules.ServiceOverNonFlow),
        new ServiceRule(RuleCatalogue.ServiceShape, ServiceRules.ServiceShape),
        new ServiceRule(RuleCatalogue.EndpointShape, ServiceRules.EndpointShape),
        new ServiceRule(RuleCatalogue.EndpointParameterModifier, ServiceRules.EndpointParameterModifier),
        new ServiceRule(RuleCatalogue.SeveralBodies, ServiceRules.SeveralBodies),
        new ServiceRule(RuleCatalogue.EndpointTypeNotSerializable, ServiceRules.EndpointTypeNotSerializable),
        new ServiceRule(RuleCatalogue.DuplicateRoute, ServiceRules.DuplicateRoute),
        new ServiceRule(RuleCatalogue.ArtifactNotAtEnd, ServiceRules.ArtifactNotAtEnd, NeedsWholeCompilation: true),
        new ServiceRule(RuleCatalogue.ServicesOfOneFlow, ServiceRules.ServicesOfOneFlow, NeedsWholeCompilation: true));

    /// <summary>
    /// The failures of a flow, lazily. Without <paramref name="onEveryPath"/> the checks that need each body's
    /// paths are left out: the declaration's bodies were read by <see cref="StepBodyReader.ReadNames"/> only.
    /// </summary>
    public static IEnumerable<FlowDiagnostic> Run(FlowDeclaration flow, FlowFacts facts, bool onEveryPath)
    {
        foreach (var rule in All)
        {
            if ((onEveryPath || !rule.OnEveryPath) && (flow.IsFlow || rule.OutsideFlows))
            {
                foreach (var finding in rule.Check(flow, facts))
                {
                    yield return new FlowDiagnostic(rule.Rule, finding.Location ?? flow.Location, finding.Arguments, finding.Properties);
                }
            }
        }
    }

    /// <summary>
    /// The failures of a web service, lazily. With <paramref name="wholeCompilation"/> only the checks that need the whole
    /// compilation run; without it, only the others.
    /// </summary>
    public static IEnumerable<FlowDiagnostic> Run(ServiceDeclaration service, bool wholeCompilation)
    {
        foreach (var rule in Services)
        {
            if (rule.NeedsWholeCompilation == wholeCompilation && (service.IsService || rule.OutsideServices))
            {
                foreach (var finding in rule.Check(service))
                {
                    yield return new FlowDiagnostic(rule.Rule, finding.Location ?? service.Location, finding.Arguments, finding.Properties);
                }
            }
        }
    }
}
