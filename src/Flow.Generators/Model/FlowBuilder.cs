using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flow.Generators.Model;

/// <summary>
/// Reads a flow class into a <see cref="FlowDeclaration"/>: its steps, artifacts, attributes and step
/// bodies, reporting what is wrong with each; then runs the graph checks.
/// </summary>
internal static class FlowBuilder
{
    private static readonly SymbolDisplayFormat FullyQualified = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static FlowDeclaration Build(
        INamedTypeSymbol type,
        FlowSymbols symbols,
        Func<IMethodSymbol, ImmutableHashSet<string>, StepBody?> analyzeBody,
        bool analyzeArtifacts,
        CancellationToken cancellationToken)
    {
        var flow = new FlowDeclaration(type, LocationInfo.From(type.Locations.FirstOrDefault()));
        flow.ArtifactsAnalyzed = analyzeArtifacts;
        CheckShape(flow);
        ReadArtifacts(flow, symbols);
        ReadSchedule(flow, symbols);
        ReadSteps(flow, symbols);
        var artifactNames = analyzeArtifacts ? flow.ArtifactNames : ImmutableHashSet<string>.Empty;
        foreach (var step in flow.Steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            step.Body = analyzeBody(step.Method, artifactNames) ?? new StepBody();
            ReadTransitions(flow, step);
        }

        foreach (var step in flow.Steps)
        {
            ResolveForeach(flow, step);
        }

        foreach (var step in flow.Steps)
        {
            CheckForeachChild(flow, step);
            CheckCatch(flow, step, symbols);
            CheckParameterWrites(flow, step);
        }

        GraphChecks.Run(flow);
        return flow;
    }

    /// <summary>The generator's model of a flow with no errors, or null.</summary>
    public static FlowModel? ToModel(FlowDeclaration flow)
    {
        if (!flow.CanEmit || flow.Diagnostics.Count > 0)
        {
            return null;
        }

        var type = flow.Type;
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;

        // What a step names is all it can touch only when every artifact is a plain auto-property (an accessor with
        // a body could read or write other artifacts) and the flow declares no constructor (which could hand
        // `this` to something a step then calls).
        var plainArtifacts = flow.Artifacts.All(a => IsAutoProperty(a.Property))
            && type.InstanceConstructors.All(c => c.IsImplicitlyDeclared);
        var steps = flow.Steps.Select(s => new StepModel(
            s.Name,
            s.Kind,
            s.Transition.ToString(),
            s.Next.ToEquatableArray(),
            s.IsJoin,
            s.ForeachArtifact,
            s.ForeachElement?.ToDisplayString(FullyQualified),
            s.ForeachElement?.ToDisplayString(),
            s.MatchingJoin,
            s.ItemType?.ToDisplayString(FullyQualified),
            s.Resources,
            s.Retry,
            s.HasCatch,
            s.CatchArtifact,
            s.TimeoutSeconds,
            s.Environment.ToEquatableArray(),
            s.Body.Writes.Select(w => w.Name).Distinct().ToEquatableArray(),
            plainArtifacts && s.Body.Uses is { } uses ? uses.OrderBy(u => u, System.StringComparer.Ordinal).ToEquatableArray() : null,
            System.IO.Path.GetFileName(s.Location?.FilePath ?? ""),
            s.Location?.Line ?? 0)).ToEquatableArray();
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
            ns,
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            type.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
            steps,
            artifacts,
            flow.Schedule,
            flow.BranchAccessors.ToEquatableArray());
    }

    private static void CheckShape(FlowDeclaration flow)
    {
        var type = flow.Type;
        var problems = new List<string>();
        var partial = type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(m => m.ValueText == "partial"));
        if (!partial)
        {
            problems.Add("declared 'partial' so that Flow can generate its graph");
        }

        if (type.ContainingType is not null)
        {
            problems.Add("declared at namespace level, not nested in another type");
        }

        if (type.IsGenericType)
        {
            problems.Add("non-generic");
        }

        if (type.IsAbstract || type.IsStatic)
        {
            problems.Add("a concrete class, not abstract or static");
        }

        if (!type.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility != Accessibility.Private))
        {
            problems.Add("creatable: give it a parameterless constructor");
        }

        if (problems.Count > 0)
        {
            flow.CanEmit = false;
            flow.Report(Rules.FlowShape, flow.Location, type.Name, string.Join(", ", problems));
        }
    }

    /// <summary>The public instance properties of a flow and its bases below FlowSpec, each name once, in declaration order.</summary>
    internal static IEnumerable<IPropertySymbol> PublicProperties(INamedTypeSymbol type, FlowSymbols symbols)
    {
        var names = new HashSet<string>();
        for (var t = type; t is not null && !SymbolEqualityComparer.Default.Equals(t, symbols.FlowSpec); t = t.BaseType)
        {
            foreach (var property in t.GetMembers().OfType<IPropertySymbol>().OrderBy(p => p.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0))
            {
                if (!property.IsStatic && !property.IsIndexer && property.DeclaredAccessibility == Accessibility.Public && names.Add(property.Name))
                {
                    yield return property;
                }
            }
        }
    }

    /// <summary>Whether a public property is an artifact: readable and writable from outside, not init-only.</summary>
    // Declared in source with accessors that have no bodies (get; set; init;), no expression body, and not partial
    // (the accessors of a partial property's implementing part are elsewhere).
    private static bool IsAutoProperty(IPropertySymbol property) =>
        property.DeclaringSyntaxReferences.Length > 0
        && property.DeclaringSyntaxReferences.All(r => r.GetSyntax() is PropertyDeclarationSyntax { ExpressionBody: null, AccessorList: { } accessors } declaration
            && !declaration.Modifiers.Any(m => m.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.PartialKeyword))
            && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null));

    internal static bool IsArtifact(IPropertySymbol property) =>
        property.GetMethod is { DeclaredAccessibility: Accessibility.Public }
        && property.SetMethod is { DeclaredAccessibility: Accessibility.Public, IsInitOnly: false };

    /// <summary>The names of a flow's artifacts.</summary>
    internal static ImmutableHashSet<string> ArtifactNames(INamedTypeSymbol type, FlowSymbols symbols) =>
        PublicProperties(type, symbols).Where(IsArtifact).Select(p => p.Name).ToImmutableHashSet();

    private static void ReadArtifacts(FlowDeclaration flow, FlowSymbols symbols)
    {
        foreach (var property in PublicProperties(flow.Type, symbols))
        {
            var location = LocationInfo.From(property.Locations.FirstOrDefault());
            var parameter = symbols.Find(property, symbols.Parameter);
            if (!IsArtifact(property))
            {
                if (parameter is not null)
                {
                    flow.Report(Rules.ParameterShape, location, property.Name, "needs a public get and set accessor so the run can set it");
                }

                continue;
            }

            var artifact = new ArtifactDeclaration(property, location)
            {
                HasInitializer = property.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is PropertyDeclarationSyntax { Initializer: not null }),
            };
            if (symbols.ReservedNames.Contains(property.Name))
            {
                flow.Report(Rules.ReservedName, location, property.Name, "artifact");
            }

            if (parameter is not null)
            {
                artifact.IsParameter = true;
                artifact.OptionName = Named<string>(parameter, "Name") ?? KebabCase(property.Name);
                artifact.Help = Named<string>(parameter, "Help");
                artifact.Required = Named<bool>(parameter, "Required");
                if (!TypeRules.IsCommandLineType(property.Type))
                {
                    flow.Report(Rules.ParameterShape, location, property.Name,
                        $"has type {property.Type.ToDisplayString()}, which cannot be given on the command line; use a number, string, bool, enum, Guid, DateTime, DateTimeOffset or TimeSpan");
                }
            }

            if (!TypeRules.IsSerializable(property.Type, symbols, out var why))
            {
                flow.Report(Rules.NotSerializable, location, property.Name, property.Type.ToDisplayString(), why);
            }

            flow.Artifacts.Add(artifact);
        }

        flow.ArtifactNames = flow.Artifacts.Select(a => a.Name).ToImmutableHashSet();
        for (var t = flow.Type; t is not null && !SymbolEqualityComparer.Default.Equals(t, symbols.FlowSpec); t = t.BaseType)
        {
            foreach (var property in t.GetMembers().OfType<IPropertySymbol>().Where(p => p.IsStatic || p.DeclaredAccessibility != Accessibility.Public))
            {
                if (symbols.Find(property, symbols.Parameter) is not null)
                {
                    flow.Report(Rules.ParameterShape, LocationInfo.From(property.Locations.FirstOrDefault()), property.Name,
                        "must be a public instance property with a public get and set accessor so the run can set it");
                }
            }
        }
    }

    private static void ReadSchedule(FlowDeclaration flow, FlowSymbols symbols)
    {
        if (symbols.Find(flow.Type, symbols.Schedule) is not { } schedule)
        {
            return;
        }

        var location = LocationInfo.From(schedule.ApplicationSyntaxReference);
        var cron = Named<string>(schedule, "Cron");
        var shortcuts = new[] { ("Hourly", "0 * * * *"), ("Daily", "0 0 * * *"), ("Weekly", "0 0 * * 0") }
            .Where(s => Named<bool>(schedule, s.Item1)).ToList();
        var given = (cron is null ? 0 : 1) + shortcuts.Count;
        if (given != 1)
        {
            flow.Report(Rules.InvalidDecorator, location, "[Schedule] needs exactly one of Cron, Hourly, Daily or Weekly");
            return;
        }

        if (cron is not null && Cron.Validate(cron) is { } problem)
        {
            flow.Report(Rules.InvalidDecorator, location, $"[Schedule(Cron = \"{cron}\")] is not a valid cron expression: {problem}");
            return;
        }

        flow.Schedule = cron ?? shortcuts[0].Item2;
    }

    private static void ReadSteps(FlowDeclaration flow, FlowSymbols symbols)
    {
        var methods = flow.Type.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
        var stepAttributes = new[] { symbols.Foreach, symbols.Resources, symbols.Retry, symbols.Catch, symbols.Timeout, symbols.Environment };
        foreach (var method in methods)
        {
            var location = LocationInfo.From(method.Locations.FirstOrDefault());
            if (symbols.Find(method, symbols.Step) is null)
            {
                var misplaced = method.GetAttributes().FirstOrDefault(a => stepAttributes.Any(s => symbols.Is(a, s)));
                if (misplaced is not null)
                {
                    flow.Report(Rules.MisplacedAttribute, LocationInfo.From(misplaced.ApplicationSyntaxReference),
                        $"[{misplaced.AttributeClass!.Name.Replace("Attribute", "")}] is on {method.Name}, which is not a step; add [Step] or remove it");
                }
                else if (method.Name is "Start" or "End" && !method.IsStatic && !methods.Any(m => m.Name == method.Name && symbols.Find(m, symbols.Step) is not null))
                {
                    flow.Report(Rules.MisplacedAttribute, location, $"{method.Name} looks like the {method.Name.ToLowerInvariant()} step but has no [Step]; add [Step]");
                    flow.UnmarkedSteps.Add(method.Name);
                }

                continue;
            }

            if (flow.ByName.ContainsKey(method.Name))
            {
                flow.Report(Rules.DuplicateStep, location, method.Name, flow.Name);
                continue;
            }

            if (methods.Count(m => m.Name == method.Name) > 1)
            {
                flow.Report(Rules.DuplicateStep, location, method.Name, flow.Name);
            }

            var step = new StepDeclaration(method.Name, method, location);
            flow.Steps.Add(step);
            flow.ByName[step.Name] = step;
            if (symbols.ReservedNames.Contains(method.Name))
            {
                flow.Report(Rules.ReservedName, location, method.Name, "step");
            }

            CheckSignature(flow, step, symbols);
            ReadDecorators(flow, step, symbols);
        }
    }

    private static void CheckSignature(FlowDeclaration flow, StepDeclaration step, FlowSymbols symbols)
    {
        var method = step.Method;
        if (method.IsStatic)
        {
            flow.Report(Rules.StepSignature, step.Location, step.Name, "must not be static");
        }

        if (method.IsGenericMethod)
        {
            flow.Report(Rules.StepSignature, step.Location, step.Name, "must not be generic");
        }

        if (method.IsAsync || !method.ReturnsVoid)
        {
            flow.Report(Rules.StepSignature, step.Location, step.Name, "must return void and not be async; a step finishes when its method returns");
        }

        var joinParameters = method.Parameters.Where(p => p.Type is INamedTypeSymbol named
            && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, symbols.JoinInputs)).ToList();
        if (joinParameters.Count > 0)
        {
            step.IsJoin = true;
            var argument = ((INamedTypeSymbol)joinParameters[0].Type).TypeArguments[0];
            if (method.Parameters.Length != 1 || !SymbolEqualityComparer.Default.Equals(argument, flow.Type))
            {
                flow.Report(Rules.JoinSignature, step.Location, step.Name, flow.Name);
            }

            return;
        }

        if (method.Parameters.Length > 1)
        {
            flow.Report(Rules.StepSignature, step.Location, step.Name,
                $"takes {method.Parameters.Length} parameters; a step takes none, a foreach child takes its item, and a join takes JoinInputs<{flow.Name}>");
        }
        else if (method.Parameters.Length == 1)
        {
            var parameter = method.Parameters[0];
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                flow.Report(Rules.StepSignature, LocationInfo.From(parameter.Locations.FirstOrDefault()), step.Name, "must take its item by value");
            }

            step.ItemType = parameter.Type;
            step.ItemLocation = LocationInfo.From(parameter.Locations.FirstOrDefault());
        }
    }

    private static void ReadDecorators(FlowDeclaration flow, StepDeclaration step, FlowSymbols symbols)
    {
        foreach (var attribute in step.Method.GetAttributes())
        {
            var location = LocationInfo.From(attribute.ApplicationSyntaxReference);
            if (symbols.Is(attribute, symbols.Foreach))
            {
                step.ForeachArtifact = attribute.ConstructorArguments.FirstOrDefault().Value as string;
                step.ForeachLocation = location;
            }
            else if (symbols.Is(attribute, symbols.Resources))
            {
                var cpu = Named(attribute, "Cpu", 1);
                var gpu = Named(attribute, "Gpu", 0);
                var memory = Named(attribute, "Memory", 4096);
                if (cpu < 1 || gpu < 0 || memory < 1)
                {
                    flow.Report(Rules.InvalidDecorator, location,
                        $"[Resources] on {step.Name} asks for Cpu = {cpu}, Gpu = {gpu}, Memory = {memory}; Cpu and Memory must be at least 1 and Gpu at least 0");
                }

                step.Resources = new ResourcesModel(cpu, gpu, memory);
            }
            else if (symbols.Is(attribute, symbols.Retry))
            {
                var times = Named(attribute, "Times", 3);
                var delay = Named(attribute, "DelaySeconds", 0);
                if (times < 0 || times > 10 || delay < 0)
                {
                    flow.Report(Rules.InvalidDecorator, location,
                        $"[Retry] on {step.Name} has Times = {times}, DelaySeconds = {delay}; Times must be between 0 and 10 and DelaySeconds at least 0");
                }

                step.Retry = new RetryModel(times, delay);
            }
            else if (symbols.Is(attribute, symbols.Catch))
            {
                step.HasCatch = true;
                step.CatchArtifact = attribute.ConstructorArguments.FirstOrDefault().Value as string;
                step.CatchLocation = location;
            }
            else if (symbols.Is(attribute, symbols.Timeout))
            {
                var seconds = Named(attribute, "Seconds", 0);
                var minutes = Named(attribute, "Minutes", 0);
                var hours = Named(attribute, "Hours", 0);
                var total = (seconds + (60L * minutes) + (3600L * hours));
                if (seconds < 0 || minutes < 0 || hours < 0 || total <= 0 || total > int.MaxValue)
                {
                    flow.Report(Rules.InvalidDecorator, location,
                        $"[Timeout] on {step.Name} must give a positive time, such as [Timeout(Seconds = 60)]");
                }
                else
                {
                    step.TimeoutSeconds = (int)total;
                }
            }
            else if (symbols.Is(attribute, symbols.Environment))
            {
                var name = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
                var value = attribute.ConstructorArguments.Length > 1 ? attribute.ConstructorArguments[1].Value as string : null;
                if (string.IsNullOrWhiteSpace(name) || name!.IndexOfAny(new[] { '=', ' ', '\0' }) >= 0)
                {
                    flow.Report(Rules.InvalidDecorator, location,
                        $"[Environment] on {step.Name} has the variable name '{name}'; a name must be non-empty, without '=' or spaces");
                }
                else
                {
                    step.Environment.Add(new EnvironmentModel(name, value ?? ""));
                }
            }
        }
    }

    private static void ReadTransitions(FlowDeclaration flow, StepDeclaration step)
    {
        var body = step.Body;
        foreach (var nested in body.NestedNext)
        {
            flow.Report(Rules.NextOutsideStep, nested.Location, nested.Name);
        }

        if (step.IsEnd)
        {
            foreach (var call in body.NextCalls)
            {
                flow.Report(Rules.NextInEnd, call.Location);
            }

            step.Transition = Transition.None;
            return;
        }

        if (body.CanMissNext)
        {
            flow.Diagnostics.Add(FlowDiagnostic.Create(Rules.MissingNext, step.Location, step.Name)
                .With("HasNext", body.NextCalls.Count > 0 ? "true" : "false"));
        }

        if (body.RepeatedNext is { } repeated)
        {
            flow.Report(Rules.MultipleNext, repeated, step.Name);
        }

        var example = flow.Steps.FirstOrDefault(s => !s.IsStart && s != step)?.Name ?? "End";
        foreach (var call in body.NextCalls)
        {
            if (call.Targets.Length == 0)
            {
                flow.Report(Rules.EmptyNext, call.Location, example);
            }

            foreach (var target in call.Targets)
            {
                if (target.Step is null || !flow.ByName.ContainsKey(target.Step))
                {
                    flow.Report(Rules.InvalidTarget, target.Location, target.Text, flow.Name, example);
                }
                else if (!step.Next.Contains(target.Step))
                {
                    step.Next.Add(target.Step);
                }
            }
        }

        var sites = body.NextCalls.Where(c => c.Targets.Length > 0).ToList();
        if (step.ForeachArtifact is not null || step.ForeachLocation is not null)
        {
            step.Transition = Transition.Foreach;
            if (sites.Count != 1 || sites[0].Targets.Length != 1)
            {
                flow.Report(Rules.ForeachTransition, step.ForeachLocation ?? step.Location, step.Name);
            }

            return;
        }

        if (sites.Count <= 1)
        {
            step.Transition = sites.Count == 0 ? Transition.None : sites[0].Targets.Length > 1 ? Transition.Split : Transition.Linear;
            return;
        }

        foreach (var site in sites.Where(s => s.Targets.Length > 1))
        {
            flow.Report(Rules.ConditionalSplit, site.Location, step.Name);
        }

        step.Transition = step.Next.Count == 1 ? Transition.Linear : Transition.Conditional;
    }

    private static void ResolveForeach(FlowDeclaration flow, StepDeclaration step)
    {
        if (step.Transition == Transition.Foreach)
        {
            var artifact = flow.Artifacts.FirstOrDefault(a => a.Name == step.ForeachArtifact);
            if (artifact is null)
            {
                flow.Report(Rules.ForeachArtifact, step.ForeachLocation, step.ForeachArtifact ?? "", $"is not an artifact of flow {flow.Name}; name a public read-write property with nameof(...)");
            }
            else if (TypeRules.ElementType(artifact.Property.Type) is { } element)
            {
                step.ForeachElement = element;
            }
            else
            {
                flow.Report(Rules.ForeachArtifact, step.ForeachLocation, artifact.Name,
                    $"has type {artifact.Property.Type.ToDisplayString()}, which is not enumerable; use an array, a list or another IEnumerable<T>");
            }
        }
    }

    private static void CheckForeachChild(FlowDeclaration flow, StepDeclaration step)
    {
        var parents = flow.Steps.Where(p => p.Next.Contains(step.Name)).ToList();
        var foreachParents = parents.Where(p => p.Transition == Transition.Foreach).ToList();
        if (foreachParents.Count == 0)
        {
            if (step.ItemType is not null && !step.IsJoin)
            {
                flow.Report(Rules.StepSignature, step.ItemLocation ?? step.Location, step.Name,
                    $"takes the parameter '{step.Method.Parameters[0].Name}', but no [Foreach] step goes to it; remove the parameter, or add [Foreach] to its parent");
            }

            return;
        }

        foreach (var parent in foreachParents)
        {
            // A join right after a foreach is reported as such (FLOW024), not for its parameter.
            if (parent.ForeachElement is not { } element || step.IsJoin)
            {
                continue;
            }

            var display = element.ToDisplayString();
            if (step.ItemType is null || !Matches(element, step.ItemType))
            {
                flow.Report(Rules.ForeachItem, step.ItemLocation ?? step.Location, step.Name, parent.ForeachArtifact!, display);
            }
        }

        static bool Matches(ITypeSymbol element, ITypeSymbol parameter) =>
            SymbolEqualityComparer.Default.Equals(element.WithNullableAnnotation(NullableAnnotation.None), parameter.WithNullableAnnotation(NullableAnnotation.None));
    }

    private static void CheckCatch(FlowDeclaration flow, StepDeclaration step, FlowSymbols symbols)
    {
        if (!step.HasCatch)
        {
            return;
        }

        if (step.Transition is Transition.Foreach or Transition.Conditional)
        {
            flow.Report(Rules.CatchOnFanOut, step.CatchLocation, step.Transition == Transition.Foreach ? "foreach" : "conditional", step.Name);
        }

        if (step.CatchArtifact is { } name)
        {
            var artifact = flow.Artifacts.FirstOrDefault(a => a.Name == name);
            if (artifact is null || !SymbolEqualityComparer.Default.Equals(artifact.Property.Type.WithNullableAnnotation(NullableAnnotation.None), symbols.StepError))
            {
                flow.Report(Rules.CatchArtifact, step.CatchLocation, name, flow.Name);
            }
        }
    }

    private static void CheckParameterWrites(FlowDeclaration flow, StepDeclaration step)
    {
        foreach (var write in step.Body.Writes)
        {
            var artifact = flow.Artifacts.FirstOrDefault(a => a.Name == write.Name);
            if (artifact is { IsParameter: true })
            {
                flow.Report(Rules.ParameterAssigned, write.Location, artifact.Name, artifact.OptionName ?? artifact.Name);
            }
        }
    }

    private static T? Named<T>(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is T value)
            {
                return value;
            }
        }

        return default;
    }

    private static int Named(AttributeData attribute, string name, int fallback)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is int value)
            {
                return value;
            }
        }

        return fallback;
    }

    internal static string KebabCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var afterLower = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var beforeLower = i > 0 && i + 1 < name.Length && char.IsUpper(name[i - 1]) && char.IsLower(name[i + 1]);
                if (afterLower || beforeLower)
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c == '_' ? '-' : c);
            }
        }

        return builder.ToString();
    }
}
