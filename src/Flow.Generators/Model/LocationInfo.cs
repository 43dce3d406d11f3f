using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Flow.Generators.Model;

/// <summary>A source location as plain values, so it can live in models and be turned back into a <see cref="Location"/>.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public int Line => LineSpan.Start.Line + 1;

    public static LocationInfo? From(Location? location) =>
        location is { IsInSource: true } ? new LocationInfo(location.SourceTree!.FilePath, location.SourceSpan, location.GetLineSpan().Span) : null;

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

    public static LocationInfo? From(SyntaxReference? reference) => reference is null ? null : From(reference.GetSyntax().GetLocation());

    public Location ToLocation(IReadOnlyDictionary<string, SyntaxTree>? trees) =>
        trees is not null && trees.TryGetValue(FilePath, out var tree)
            ? Location.Create(tree, Span)
            : Location.Create(FilePath, Span, LineSpan);
}
