using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using NUnit.Framework;
using FlowSymbols = global::Flow.Generators.Model.FlowSymbols;
using StepBody = global::Flow.Generators.Model.StepBody;
using StepBodyReader = global::Flow.Generators.Model.StepBodyReader;

namespace Flow.Tests.Analyzers;

/// <summary>
/// A step body without branches is analyzed by walking its operations instead of building its control-flow
/// graph: the walk must find exactly what the graph finds (Next calls, artifact reads and writes, in order).
/// </summary>
public class StepBodyAnalysisTests
{
    internal static readonly string[] OnePath =
    {
        "X = 1; Next(A);",
        "Next(A); Next(B);",
        "Next(A); X = 1; Next(B); Next(A);",
        "Y = X + 1; Next(A, B);",
        "X += Y; X++; --Y; Next(A);",
        "var l = new List<int> { X, Y }; L = l; Next(A);",
        "var h = new Holder { Value = X }; Y = h.Value; Next(A);",
        "Func<int> f = () => X; int G() => Y + X; Y = f() + G(); Next(A);",
        "Action a = () => Next(A); Func<int> g = () => { X = 2; return X; }; Next(B);",
        "void Local() { Next(A); X = 1; } Local(); Next(B);",
        "S = $\"{X} and {Y:N2}\"; Next(A);",
        "(X, Y) = (Y, X); Next(A);",
        "X = Y = 3; Next(A);",
        "S = X.ToString() + S; L[0] = Y; X = L[0]; Next(A);",
        "Console.WriteLine(nameof(X)); X = 1;",
        "Console.WriteLine(X);",
        "{ var t = X; } { Y = 2; } Next(A);",
        "var a = new[] { X, Y }; X = a.Length + typeof(int).Name.Length; Next(A);",
        "Next(A); X = 1;",
        "Next();",
        "Next(A, (Action)B, new Action(A));",
        "Next(Helper);",
        "X = (int)(object)Y * -X; Next(A);",
        "Y = default; S = default(string)!; Next(A);",
        "Y = X | Y & X ^ 1; var b = !(X == Y) ^ true; Next(A);",
        ";;",
        "",
    };

    internal static readonly string[] Branching =
    {
        "if (X > 0) Next(A); else Next(B);",
        "X = Y > 0 ? 1 : 2; Next(A);",
        "S ??= \"a\"; Next(A);",
        "var n = S?.Length; Next(A);",
        "var b = X > 0 && Y > 0; Next(A);",
        "var b = X > 0 || Y > 0; Next(A);",
        "for (var i = 0; i < 3; X++) { Y = i; } Next(A);",
        "while (X < 3) { X++; } Next(A);",
        "foreach (var i in L) { Y += i; } Next(A);",
        "try { X = 1; } catch (Exception) { } Next(A);",
        "using var d = new System.IO.MemoryStream(); Next(A);",
        "lock (L) { X = 1; } Next(A);",
        "Next(A); return;",
        "X = 1; throw new Exception();",
        "var s = new System.Text.StringBuilder(); s.Append($\"{X}\"); Next(A);",
        "switch (X) { case 1: Next(A); break; default: Next(B); break; }",
        "X = Y switch { 1 => 2, _ => 3 }; Next(A);",
        "var t = S ?? \"\"; Next(A);",
        "if (int.TryParse(S, out var v)) { X = v; } Next(A);",
        "goto done; done: Next(A);",
    };

    internal const string Flow = """
        using System;
        using System.Collections.Generic;
        using Flow;

        public sealed class Holder { public int Value { get; set; } }

        public partial class Subject : FlowSpec
        {
            public int X { get; set; }
            public int Y { get; set; }
            public string S { get; set; } = "";
            public List<int> L { get; set; } = new();

            [Step] public void Start() { Next(A); }
            [Step] public void A() { Next(B); }
            [Step] public void B() { Next(End); }
            [Step] public void End() { }
            public void Helper() { }
        BODIES
        }
        """;

    [Test]
    public void AWalkFindsWhatTheGraphFindsInABodyWithoutBranches()
    {
        var checkedBodies = 0;
        foreach (var (body, symbols, type) in Bodies(OnePath))
        {
            Assert.That(StepBodyReader.HasOnePath(body), Is.True, body.Syntax.ToString());
            var artifacts = System.Collections.Immutable.ImmutableHashSet.Create("X", "Y", "S", "L");
            var walked = StepBodyReader.ReadOnePath(body, symbols, type, artifacts);
            var graphed = StepBodyReader.Read(body, ControlFlowGraph.Create((IMethodBodyOperation)body), symbols, type, artifacts, CancellationToken.None);
            Assert.That(Describe(walked), Is.EqualTo(Describe(graphed)), body.Syntax.ToString());

            var withoutArtifacts = System.Collections.Immutable.ImmutableHashSet<string>.Empty;
            Assert.That(
                Describe(StepBodyReader.ReadOnePath(body, symbols, type, withoutArtifacts)),
                Is.EqualTo(Describe(StepBodyReader.Read(body, ControlFlowGraph.Create((IMethodBodyOperation)body), symbols, type, withoutArtifacts, CancellationToken.None))),
                body.Syntax.ToString());
            checkedBodies++;
        }

        Assert.That(checkedBodies, Is.EqualTo(OnePath.Length + 2), "every body, with Merged and ExpressionBodied");
    }

    [Test]
    public void ABodyWithBranchesTakesTheGraph()
    {
        var checkedBodies = 0;
        foreach (var (body, _, _) in Bodies(Branching))
        {
            Assert.That(StepBodyReader.HasOnePath(body), Is.False, body.Syntax.ToString());
            checkedBodies++;
        }

        Assert.That(checkedBodies, Is.EqualTo(Branching.Length));
    }

    [Test]
    public void TheGraphIsOnlyBuiltForABodyWithBranches()
    {
        foreach (var (body, symbols, type) in Bodies(OnePath.Concat(Branching).ToArray()))
        {
            var built = false;
            var artifacts = System.Collections.Immutable.ImmutableHashSet.Create("X", "Y", "S", "L");
            StepBodyReader.Read(body, () => { built = true; return ControlFlowGraph.Create((IMethodBodyOperation)body); }, symbols, type, artifacts, CancellationToken.None);
            Assert.That(built, Is.EqualTo(!StepBodyReader.HasOnePath(body)), body.Syntax.ToString());
        }
    }

    private static IEnumerable<(IOperation Body, FlowSymbols Symbols, INamedTypeSymbol Type)> Bodies(string[] bodies)
    {
        var members = string.Join("\n", bodies.Select((b, i) => i == 0
            ? $"    public void Body{i}(JoinInputs<Subject> inputs) {{ MergeArtifacts(inputs, nameof(S)); {b} }}"
            : $"    public void Body{i}() {{ {b} }}"));
        members += "\n    public void Merged(JoinInputs<Subject> inputs) { Y = X; MergeArtifacts(inputs, nameof(S)); X = Y + S.Length; Next(A); }";
        members += "\n    public void ExpressionBodied() => Console.WriteLine(X + Y);";
        var compilation = GeneratorHarness.Compile(Flow.Replace("BODIES", members, StringComparison.Ordinal));
        var (_, output) = GeneratorHarness.Generate(compilation);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors, Is.Empty);
        var symbols = FlowSymbols.Create(output)!;
        var tree = output.SyntaxTrees.First();
        var model = output.GetSemanticModel(tree);
        var type = (INamedTypeSymbol)output.GetTypeByMetadataName("Subject")!;
        foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Where(m => m.Identifier.ValueText.StartsWith("Body", StringComparison.Ordinal) || m.Identifier.ValueText is "Merged" or "ExpressionBodied"))
        {
            var index = method.Identifier.ValueText.StartsWith("Body", StringComparison.Ordinal) ? int.Parse(method.Identifier.ValueText[4..]) : -1;
            if (index >= 0 && index >= bodies.Length)
            {
                continue;
            }

            if (index < 0 && !ReferenceEquals(bodies, OnePath))
            {
                continue;
            }

            yield return (model.GetOperation(method)!, symbols, type);
        }
    }

    private static string Describe(StepBody body)
    {
        static string Uses(IEnumerable<global::Flow.Generators.Model.NamedUse> uses) => string.Join(", ", uses.Select(u => $"{u.Name}@{u.Location?.Span}"));
        var lines = new List<string>
        {
            "next: " + string.Join("; ", body.NextCalls.Select(c => $"{c.Location?.Span} -> " + string.Join(", ", c.Targets.Select(t => $"{t.Step}|{t.Text}|{t.Location?.Span}")))),
            $"can miss next: {body.CanMissNext}",
            $"repeated next: {body.RepeatedNext?.Span}",
            "nested next: " + Uses(body.NestedNext),
            "unsafe reads: " + Uses(body.UnsafeReads),
            "merged reads: " + Uses(body.MergedReads),
            "written at exit: " + string.Join(", ", body.WrittenAtExit.OrderBy(n => n, StringComparer.Ordinal)),
            "writes: " + Uses(body.Writes),
            $"merges: {body.MergesArtifacts}",
            "merge excluded: " + string.Join(", ", body.MergeExcluded.OrderBy(n => n, StringComparer.Ordinal)),
            "branch reads: " + Uses(body.BranchReads),
        };
        return string.Join("\n", lines);
    }
}
