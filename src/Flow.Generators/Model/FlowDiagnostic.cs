using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Flow.Generators.Model;

/// <summary>A failure of a rule: where, the message arguments, and properties for a code fix.</summary>
internal sealed record FlowDiagnostic(DiagnosticDescriptor Rule, LocationInfo? Location, ImmutableArray<string> Arguments, ImmutableDictionary<string, string?> Properties)
{
    public Diagnostic ToDiagnostic(IReadOnlyDictionary<string, SyntaxTree>? trees, Location fallback) =>
        Diagnostic.Create(Rule, Location?.ToLocation(trees) ?? fallback, Properties, Arguments.Cast<object>().ToArray());
}
