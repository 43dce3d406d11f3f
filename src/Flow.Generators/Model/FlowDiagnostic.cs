using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Flow.Generators.Model;

/// <summary>A failed check: the rule, where, and the message arguments.</summary>
internal sealed record FlowDiagnostic(DiagnosticDescriptor Rule, LocationInfo? Location, ImmutableArray<string> Arguments, ImmutableDictionary<string, string?> Properties)
{
    public static FlowDiagnostic Create(DiagnosticDescriptor rule, LocationInfo? location, params string[] arguments) =>
        new(rule, location, arguments.ToImmutableArray(), ImmutableDictionary<string, string?>.Empty);

    public FlowDiagnostic With(string key, string? value) => this with { Properties = Properties.SetItem(key, value) };

    public Diagnostic ToDiagnostic(IReadOnlyDictionary<string, SyntaxTree>? trees, Location fallback) =>
        Diagnostic.Create(Rule, Location?.ToLocation(trees) ?? fallback, Properties, Arguments.Cast<object>().ToArray());
}
