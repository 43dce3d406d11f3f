using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Flow.Generators.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flow.Generators.Model;

/// <summary>
/// Reads a flow class into a <see cref="FlowDeclaration"/>: its shape, artifacts, schedule, steps, their
/// attributes, bodies and transitions. It checks nothing: what is wrong is for the rules to say.
/// </summary>
internal static class FlowReader
{
    private static readonly string[] ScheduleShortcuts = { "Hourly", "0 * * * *", "Daily", "0 0 * * *", "Weekly", "0 0 * * 0" };

    /// <summary>Reads a flow; <paramref name="readBody"/> gives what a step's body does (null when it has none to read).</summary>
    public static FlowDeclaration Read(
        INamedTypeSymbol type,
        FlowSymbols symbols,
        Func<IMethodSymbol, StepBody?> readBody,
        IEnumerable<MemberAt> nextOutsideSteps,
        CancellationToken cancellationToken)
    {
        var flow = new FlowDeclaration(type, symbols, LocationInfo.From(type.Locations.FirstOrDefault()));
        ReadShape(flow);
        ReadArtifacts(flow, symbols);
        ReadSchedule(flow, symbols);
        if (symbols.Find(flow.Type, symbols.Project) is { } project)
        {
            flow.HasProject = true;
            flow.Project = project.ConstructorArguments.FirstOrDefault().Value as string;
            flow.ProjectLocation = LocationInfo.From(project.ApplicationSyntaxReference);
        }

        ReadSteps(flow, symbols);
        foreach (var step in flow.Steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // A partial method's body is in its implementing declaration (FLOW008 refuses the step, but its Next calls
            // still shape the graph, so that the other rules do not report steps it reaches as unreachable).
            step.Body = readBody(step.Method.PartialImplementationPart ?? step.Method) ?? new StepBody();
        }

        foreach (var step in flow.Steps)
        {
            ReadTransitions(flow, step);
        }

        flow.NextOutsideSteps.AddRange(nextOutsideSteps);
        return flow;
    }

    /// <summary>Reads a class that has [Step] methods but does not derive from FlowSpec: only those methods.</summary>
    public static FlowDeclaration ReadNonFlow(INamedTypeSymbol type, FlowSymbols symbols)
    {
        var flow = new FlowDeclaration(type, symbols, LocationInfo.From(type.Locations.FirstOrDefault())) { IsFlow = false };
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (symbols.Find(method, symbols.Step) is { } step)
            {
                flow.StepsOutsideFlow.Add(new MemberAt(method.Name, LocationInfo.From(step.ApplicationSyntaxReference) ?? LocationInfo.From(method.Locations.FirstOrDefault())));
            }
        }

        return flow;
    }

    /// <summary>The public instance properties of a flow and its bases below FlowSpec, each name once, in declaration order.</summary>
    internal static IEnumerable<IPropertySymbol> PublicProperties(INamedTypeSymbol type, FlowSymbols symbols)
    {
        var names = new HashSet<string>();
        for (var t = type; t is not null && !SymbolEqualityComparer.Default.Equals(t, symbols.FlowSpec); t = t.BaseType)
        {
            // By file, then by place in it: lines added in one file of a partial flow do not reorder the artifacts.
            var properties = t.GetMembers().OfType<IPropertySymbol>()
                .OrderBy(p => p.Locations.FirstOrDefault()?.SourceTree?.FilePath ?? "", System.StringComparer.Ordinal)
                .ThenBy(p => p.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0);
            foreach (var property in properties)
            {
                if (!property.IsStatic && !property.IsIndexer && property.DeclaredAccessibility == Accessibility.Public && names.Add(property.Name))
                {
                    yield return property;
                }
            }
        }
    }

    /// <summary>Whether a public property is an artifact: readable and writable from outside, not init-only.</summary>
    internal static bool IsArtifact(IPropertySymbol property) =>
        property.GetMethod is { DeclaredAccessibility: Accessibility.Public }
        && property.SetMethod is { DeclaredAccessibility: Accessibility.Public, IsInitOnly: false };

    /// <summary>The names of a flow's artifacts.</summary>
    internal static ImmutableHashSet<string> ArtifactNames(INamedTypeSymbol type, FlowSymbols symbols) =>
        PublicProperties(type, symbols).Where(IsArtifact).Select(p => p.Name).ToImmutableHashSet();

    // Declared in source with accessors that have no bodies (get; set; init;), no expression body, and not partial
    // (the accessors of a partial property's implementing part are elsewhere).
    private static bool IsAutoProperty(IPropertySymbol property) =>
        property.DeclaringSyntaxReferences.Length > 0
        && property.DeclaringSyntaxReferences.All(r => r.GetSyntax() is PropertyDeclarationSyntax { ExpressionBody: null, AccessorList: { } accessors } declaration
            && !declaration.Modifiers.Any(m => m.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.PartialKeyword))
            && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null));

    private static void ReadShape(FlowDeclaration flow)
    {
        var type = flow.Type;
        flow.IsPartial = type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(m => m.ValueText == "partial"));
        flow.HasParameterlessConstructor = type.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility != Accessibility.Private);
        flow.UnsetRequiredMembers.AddRange(RequiredMembers.UnsetByNew(type));
        flow.HasOnlyImplicitConstructors = type.InstanceConstructors.All(c => c.IsImplicitlyDeclared);
    }

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
                    flow.ParametersWithoutAccessors.Add(new MemberAt(property.Name, location));
                }

                continue;
            }

            var artifact = new ArtifactDeclaration(property, location)
            {
                HasInitializer = property.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is PropertyDeclarationSyntax { Initializer: not null }),
                IsAutoProperty = IsAutoProperty(property),
            };
            if (parameter is not null)
            {
                artifact.IsParameter = true;
                artifact.OptionName = Named<string>(parameter, "Name") ?? KebabCase(property.Name);
                artifact.Help = Named<string>(parameter, "Help");
                artifact.Required = Named<bool>(parameter, "Required");
            }

            flow.Artifacts.Add(artifact);
        }

        for (var t = flow.Type; t is not null && !SymbolEqualityComparer.Default.Equals(t, symbols.FlowSpec); t = t.BaseType)
        {
            foreach (var property in t.GetMembers().OfType<IPropertySymbol>().Where(p => p.IsStatic || p.DeclaredAccessibility != Accessibility.Public))
            {
                if (symbols.Find(property, symbols.Parameter) is not null)
                {
                    flow.HiddenParameters.Add(new MemberAt(property.Name, LocationInfo.From(property.Locations.FirstOrDefault())));
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

        var shortcuts = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < ScheduleShortcuts.Length; i += 2)
        {
            if (Named<bool>(schedule, ScheduleShortcuts[i]))
            {
                shortcuts.Add(ScheduleShortcuts[i + 1]);
            }
        }

        flow.Schedule = new ScheduleDeclaration(Named<string>(schedule, "Cron"), shortcuts.ToImmutable(), LocationInfo.From(schedule.ApplicationSyntaxReference));
    }

    private static void ReadSteps(FlowDeclaration flow, FlowSymbols symbols)
    {
        var methods = flow.Type.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
        var stepAttributes = new[] { symbols.Foreach, symbols.Resources, symbols.Retry, symbols.Catch, symbols.Timeout, symbols.Environment, symbols.Slurm, symbols.Card, symbols.Cache };
        foreach (var method in methods)
        {
            var location = LocationInfo.From(method.Locations.FirstOrDefault());
            if (symbols.Find(method, symbols.Step) is null)
            {
                var misplaced = method.GetAttributes().FirstOrDefault(a => stepAttributes.Any(s => symbols.Is(a, s)));
                if (misplaced is not null)
                {
                    flow.MisplacedAttributes.Add(new MisplacedAttribute(
                        misplaced.AttributeClass!.Name.Replace("Attribute", ""), method.Name, LocationInfo.From(misplaced.ApplicationSyntaxReference)));
                }
                else if (method.Name is "Start" or "End" && !method.IsStatic && !methods.Any(m => m.Name == method.Name && symbols.Find(m, symbols.Step) is not null))
                {
                    flow.UnmarkedSteps.Add(new MemberAt(method.Name, location));
                }

                continue;
            }

            if (flow.ByName.ContainsKey(method.Name) || methods.Count(m => m.Name == method.Name) > 1)
            {
                flow.DuplicateSteps.Add(new MemberAt(method.Name, location));
            }

            if (flow.ByName.ContainsKey(method.Name))
            {
                continue;
            }

            var step = new StepDeclaration(method.Name, method, location);
            flow.Steps.Add(step);
            flow.ByName[step.Name] = step;
            ReadParameters(flow, step, symbols);
            ReadDecorators(step, symbols);
        }

        foreach (var step in flow.Steps.Where(s => s.ForeachArtifact is not null))
        {
            var artifact = flow.Artifacts.FirstOrDefault(a => a.Name == step.ForeachArtifact);
            step.ForeachElement = artifact is null ? null : TypeRules.ElementType(artifact.Property.Type);
        }
    }

    private static void ReadParameters(FlowDeclaration flow, StepDeclaration step, FlowSymbols symbols)
    {
        var method = step.Method;
        if (method.Parameters.Any(p => p.Type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, symbols.JoinInputs)))
        {
            step.IsJoin = true;
        }
        else if (method.Parameters.Length == 1)
        {
            step.Item = method.Parameters[0];
            step.ItemLocation = LocationInfo.From(step.Item.Locations.FirstOrDefault());
        }
    }

    private static void ReadDecorators(StepDeclaration step, FlowSymbols symbols)
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
                step.Resources = new ResourcesModel(Named(attribute, "Cpu", 1), Named(attribute, "Gpu", 0), Named(attribute, "Memory", 4096));
                step.ResourcesLocation = location;
            }
            else if (symbols.Is(attribute, symbols.Retry))
            {
                step.Retry = new RetryModel(Named(attribute, "Times", 3), Named(attribute, "DelaySeconds", 0));
                step.RetryLocation = location;
            }
            else if (symbols.Is(attribute, symbols.Catch))
            {
                step.HasCatch = true;
                step.CatchArtifact = attribute.ConstructorArguments.FirstOrDefault().Value as string;
                step.CatchLocation = location;
            }
            else if (symbols.Is(attribute, symbols.Timeout))
            {
                step.Timeout = new TimeoutDeclaration(Named(attribute, "Seconds", 0), Named(attribute, "Minutes", 0), Named(attribute, "Hours", 0));
                step.TimeoutLocation = location;
            }
            else if (symbols.Is(attribute, symbols.Slurm))
            {
                var arguments = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Arguments").Value;
                step.Slurm = new SlurmModel(
                    Named<string>(attribute, "Partition"),
                    Named<string>(attribute, "Account"),
                    Named<string>(attribute, "Qos"),
                    Named<string>(attribute, "Constraint"),
                    arguments.Kind == TypedConstantKind.Array && !arguments.IsNull
                        ? arguments.Values.Select(v => v.Value as string ?? "").ToEquatableArray()
                        : EquatableArray<string>.Empty);
                step.SlurmLocation = location;
            }
            else if (symbols.Is(attribute, symbols.Cache))
            {
                step.CacheVersion = Named<string>(attribute, "Version") ?? "";
                step.CacheLocation = location;
                var files = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Files").Value;
                if (files.Kind == TypedConstantKind.Array && !files.IsNull)
                {
                    step.CacheFiles.AddRange(files.Values.Select(v => v.Value as string));
                }
            }
            else if (symbols.Is(attribute, symbols.Card))
            {
                var id = attribute.NamedArguments.Where(a => a.Key == "Id").Select(a => a.Value.Value as string).DefaultIfEmpty("default").First();
                step.Cards.Add(new CardDeclaration(id, location));
            }
            else if (symbols.Is(attribute, symbols.Environment))
            {
                var name = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
                var value = attribute.ConstructorArguments.Length > 1 ? attribute.ConstructorArguments[1].Value as string : null;
                step.Environment.Add(new EnvironmentDeclaration(name, value, location));
            }
        }
    }

    /// <summary>The step's targets (those that are steps of this flow) and the kind of transition its Next calls make.</summary>
    private static void ReadTransitions(FlowDeclaration flow, StepDeclaration step)
    {
        if (step.IsEnd)
        {
            step.Transition = Transition.None;
            return;
        }

        foreach (var target in step.Body.NextCalls.SelectMany(c => c.Targets))
        {
            if (target.Step is not null && flow.ByName.ContainsKey(target.Step) && !step.Next.Contains(target.Step))
            {
                step.Next.Add(target.Step);
            }
        }

        var sites = step.Body.NextCalls.Count(c => c.Targets.Length > 0);
        step.Transition =
            step.ForeachArtifact is not null || step.ForeachLocation is not null ? Transition.Foreach
            : sites == 0 ? Transition.None
            : sites == 1 ? (step.Body.NextCalls.First(c => c.Targets.Length > 0).Targets.Length > 1 ? Transition.Split : Transition.Linear)
            : step.Next.Count == 1 ? Transition.Linear
            : Transition.Conditional;
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
