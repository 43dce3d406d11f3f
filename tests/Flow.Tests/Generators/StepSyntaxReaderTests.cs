using System.Collections.Immutable;
using Flow.Tests.Analyzers;
using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using NUnit.Framework;
using FlowReader = global::Flow.Generators.Model.FlowReader;
using FlowSymbols = global::Flow.Generators.Model.FlowSymbols;
using StepBody = global::Flow.Generators.Model.StepBody;
using StepBodyReader = global::Flow.Generators.Model.StepBodyReader;
using StepSyntaxReader = global::Flow.Generators.Model.StepSyntaxReader;

namespace Flow.Tests.Generators;

/// <summary>
/// The generator reads what a step body names from its syntax where that is unambiguous: wherever it gives
/// an answer, the answer must be what the bound operations give (Next calls, nested Next calls, writes, uses).
/// </summary>
public class StepSyntaxReaderTests
{
    private static readonly string[] Tricky =
    {
        "this.X = 1; this.Y += X; Next(this.A);",
        "this.Helper(); Next(A);",
        "Helper(); Next(A);",
        "Save(this); Next(A);",
        "var o = new { X, Z = Y }; Next(A);",
        "var h = new Holder { Value = X }; h = h with { Value = Y }; Next(A);",
        "X = L.Count(i => i > Y); Next(A);",
        "(L[0], Y) = (1, 2); Next(A);",
        "var (a, b) = (X, Y); Next(A);",
        "Next(X > 0 ? A : B);",
        "Next(steps: A);",
        "var X = 1; Next(A);",
        "int A = 1; Next(B);",
        "Console.WriteLine(ToString() + GetType().Name); Next(A);",
        "Console.WriteLine(Index); Next(A);",
        "Static(); S = Constant; Next(A);",
        "_field = X; Next(A);",
        "Next(Missing);",
        "Next(Prop);",
        "X = Holder.Make().Value; Next(A);",
        "if (S is { Length: > 0 } s) { X = s.Length; } Next(A);",
        "Action a = delegate { Next(A); }; Next(B);",
        "Func<int> f = () => { int Local() => X; return Local(); }; Y = f(); Next(A);",
        "X = (Y); (X) = 2; Next(A);",
        "L.Add(X); L[0]++; Next(A);",
        "this.Ext(); Next(A);",
        "var q = from i in L select i + X; Next(A);",
        "Next(A); Next(B, End);",
        "do { X++; } while (Y++ < 3); Next(A);",
        "Console.WriteLine(format: S, arg0: X = 1); Next(A);",
        "for (X = 0; X < 3; Y++) { X++; } Next(A);",
        "S = nameof(Helper) + nameof(X) + nameof(Subject.Y); Next(A);",
    };

    private const string Members = """
            public static int Constant = 1;
            private int _field;
            public System.Action Prop { get; set; } = () => { };
            public static void Static() { }
            public static void Save(Subject s) { }
        """;

    [Test]
    public void WhereTheSyntaxGivesAnAnswerItIsWhatTheBoundBodyGives()
    {
        var bodies = StepBodyAnalysisTests.OnePath.Concat(StepBodyAnalysisTests.Branching).Concat(Tricky).ToArray();
        var members = string.Join("\n", bodies.Select((b, i) => $"    public void Body{i}() {{ {b} }}")) + "\n" + Members;
        var source = StepBodyAnalysisTests.Flow.Replace("BODIES", members, StringComparison.Ordinal)
            .Replace("public sealed class Holder { public int Value { get; set; } }",
                "public sealed record Holder { public int Value { get; set; } public static Holder Make() => new(); }\npublic static class Extensions { public static void Ext(this Subject s) { } }",
                StringComparison.Ordinal);
        var (read, bound) = Compare(GeneratorHarness.Compile(source), "Subject");
        TestContext.Out.WriteLine($"the syntax answered for {read} of {bound} bodies");
        Assert.That(read, Is.GreaterThan(bodies.Length / 2), $"the syntax answered for {read} of {bound} bodies");
    }

    [TestCase("samples")]
    [TestCase("tests/Flow.TestFlows")]
    [TestCase("bench/Flows")]
    [TestCase("bench/Build/Shared")]
    [TestCase("tests/Flow.Tests/Runtime/TestFlows.cs")]
    public void InTheProjectsFlowsTheSyntaxGivesWhatTheBoundBodyGives(string path)
    {
        var full = Path.Combine(RepoPaths.Root, path);
        var files = File.Exists(full)
            ? new[] { full }
            : Directory.GetFiles(full, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal));
        var groups = files.GroupBy(f => Path.GetDirectoryName(f)!);
        var read = 0;
        foreach (var group in groups)
        {
            var compilation = GeneratorHarness.Compile(group.Select(f => (f, File.ReadAllText(f))), OutputKind.ConsoleApplication);
            var (answered, all) = Compare(compilation, flowName: null);
            TestContext.Out.WriteLine($"{group.Key}: the syntax answered for {answered} of {all} steps");
            read += answered;
        }

        Assert.That(read, Is.GreaterThan(0));
    }

    /// <summary>Compares the two readings of every step or Body method of the flows; how many the syntax answered, of how many.</summary>
    private static (int Read, int Bound) Compare(Compilation compilation, string? flowName)
    {
        var symbols = FlowSymbols.Create(compilation)!;
        var read = 0;
        var bound = 0;
        Assert.Multiple(() =>
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                var model = compilation.GetSemanticModel(tree);
                foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
                {
                    if (model.GetDeclaredSymbol(method) is not { } symbol
                        || !symbols.IsFlow(symbol.ContainingType)
                        || (flowName is null ? symbols.Find(symbol, symbols.Step) is null : symbol.ContainingType.Name != flowName))
                    {
                        continue;
                    }

                    var type = symbol.ContainingType;
                    var artifacts = FlowReader.ArtifactNames(type, symbols);
                    bound++;
                    var fromSyntax = StepSyntaxReader.Read(method, symbols, type, artifacts);
                    if (fromSyntax is null || model.GetOperation(method) is not IMethodBodyOperation body)
                    {
                        continue;
                    }

                    read++;
                    Assert.That(Describe(fromSyntax), Is.EqualTo(Describe(StepBodyReader.ReadNames(body, symbols, type, artifacts))), method.ToString());
                }
            }
        });
        return (read, bound);
    }

    private static string Describe(StepBody body)
    {
        static string Uses(IEnumerable<global::Flow.Generators.Model.NamedUse> uses) => string.Join(", ", uses.Select(u => $"{u.Name}@{u.Location?.Span}"));
        return string.Join("\n", new[]
        {
            "next: " + string.Join("; ", body.NextCalls.Select(c => $"{c.Location?.Span} -> " + string.Join(", ", c.Targets.Select(t => $"{t.Step}|{t.Text}|{t.Location?.Span}")))),
            "nested next: " + Uses(body.NestedNext),
            "writes: " + Uses(body.Writes),
            "uses: " + (body.Uses is null ? "(any)" : string.Join(", ", body.Uses.OrderBy(n => n, StringComparer.Ordinal))),
        });
    }
}
