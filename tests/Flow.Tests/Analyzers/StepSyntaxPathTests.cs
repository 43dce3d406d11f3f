extern alias analyzers;

using Flow.Tests.Generators;
using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using NUnit.Framework;
using FlowAnalyzer = analyzers::Flow.Analyzers.FlowAnalyzer;
using FlowReader = analyzers::Flow.Generators.Model.FlowReader;
using FlowSymbols = analyzers::Flow.Generators.Model.FlowSymbols;
using StepBody = analyzers::Flow.Generators.Model.StepBody;
using StepBodyReader = analyzers::Flow.Generators.Model.StepBodyReader;

namespace Flow.Tests.Analyzers;

/// <summary>
/// The analyzer reads a flow's step bodies from their syntax when each has one path and nothing in them needs
/// binding: wherever it does, every step must read as its bound operations and control-flow graph read.
/// </summary>
public class StepSyntaxPathTests
{
    private static readonly string[] Paths =
    {
        "X = X + 1; Next(A);",
        "Y = X; X = 1; Y = X; Next(A);",
        "L.Add(X); X = 2; L.Add(X); Next(A);",
        "X += X; this.Y++; Y = this.X + this.Y; Next(A);",
        "S = $\"{X}\"; X = 1; S = $\"{X,5}{Y:N2}\"; Next(A);",
        "S = $\"{X = 2}\"; Next(A);",
        "var h = new Holder { Value = X }; X = h.Value; Next(A);",
        "var a = new int[X]; X = a.Length; var c = new int[] { Y }; Next(A);",
        "int[] b = [X, ..L]; List<int> e = []; Next(A);",
        "L[X] = Y; L[0] += X; Next(A);",
        "X = (int)(object)Y!; var s = S as string; Next(A);",
        "var t = (X, Y); Next(A);",
        "Y = X; Next(A); Next(B); X = Y;",
        "Next(this.A); this.X = 1;",
        "X = Math.Max(X, Y); S = string.Join(\",\", L); Next(A);",
        "Func<int> f = () => { X = 1; return Y; }; X = f(); Next(A);",
        "var n = new List<int> { X, Y }; var d = new Dictionary<int, int> { { X, Y } }; Next(A);",
        "var m = new Dictionary<int, int> { [X] = Y }; Next(A);",
        "X = checked(Y + 1); Next(A);",
        "X = L.Count is 0 ? 1 : 2; Next(A);",
        "X = S?.Length ?? 0; Next(A);",
        "Console.WriteLine(value: X); Next(A);",
        "int.TryParse(S, out var v); X = v; Next(A);",
        "X = ^1 is System.Index ? 1 : 0; Next(A);",
        "const int k = 2; X = k; Next(A);",
    };

    private const string Joins = """
            public void Merging(JoinInputs<Subject> inputs) { Y = X; MergeArtifacts(inputs, nameof(S), "Y"); X = Y + S.Length + L.Count; Next(A); }
            public void MergingTwice(JoinInputs<Subject> inputs) { this.MergeArtifacts(inputs); X = Y; MergeArtifacts<Subject>(inputs, nameof(Subject.X)); Next(A); }
            public void MergingArray(JoinInputs<Subject> inputs) { MergeArtifacts(inputs, new[] { "X" }); Y = X; Next(A); }
            public void Branches(JoinInputs<Subject> inputs) { X = inputs.A().X; Next(A); }
        """;

    [Test]
    public void WhereTheSyntaxReadsAFlowEveryStepIsWhatTheGraphGives()
    {
        var bodies = Paths.Concat(StepBodyAnalysisTests.OnePath).Concat(StepBodyAnalysisTests.Branching).Concat(StepSyntaxReaderTests.Tricky).ToArray();
        var read = 0;
        Assert.Multiple(() =>
        {
            // One flow per body: the analyzer reads a whole flow from syntax or none of it.
            for (var i = 0; i < bodies.Length; i++)
            {
                var members = $"    [Step] public void Body() {{ {bodies[i]} }}\n" + StepSyntaxReaderTests.Members;
                read += Compare(Subject(members), "Subject", bodies[i]).Read;
            }

            foreach (var join in Joins.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                read += Compare(Subject(join.Replace("public void", "[Step] public void", StringComparison.Ordinal) + "\n" + StepSyntaxReaderTests.Members), "Subject", join).Read;
            }
        });
        TestContext.Out.WriteLine($"the syntax read {read} of {bodies.Length + 4} flows");
        Assert.That(read, Is.GreaterThan(bodies.Length / 2));
    }

    [TestCase("samples")]
    [TestCase("tests/Flow.TestFlows")]
    [TestCase("bench/Flows")]
    [TestCase("bench/Build/Shared")]
    [TestCase("tests/Flow.Tests/Runtime/TestFlows.cs")]
    public void InTheProjectsFlowsTheSyntaxReadsWhatTheGraphGives(string path)
    {
        var full = Path.Combine(RepoPaths.Root, path);
        var files = File.Exists(full)
            ? new[] { full }
            : Directory.GetFiles(full, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal));
        var read = 0;
        foreach (var group in files.GroupBy(f => Path.GetDirectoryName(f)!))
        {
            var (_, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(group.Select(f => (f, File.ReadAllText(f))), OutputKind.ConsoleApplication));
            var (answered, all) = Compare(output, flowName: null, group.Key);
            TestContext.Out.WriteLine($"{group.Key}: the syntax read {answered} of {all} flows");
            read += answered;
        }

        Assert.That(read, Is.GreaterThan(0));
    }

    private static Compilation Subject(string members)
    {
        var source = StepBodyAnalysisTests.Flow.Replace("BODIES", members, StringComparison.Ordinal)
            .Replace("public sealed class Holder { public int Value { get; set; } }",
                "public sealed record Holder { public int Value { get; set; } public static Holder Make() => new(); }\npublic static class Extensions { public static void Ext(this Subject s) { } }",
                StringComparison.Ordinal);
        var (_, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(source));
        return output;
    }

    /// <summary>Compares, for every flow the syntax reads, each step with its bound reading; how many flows the syntax read, of how many.</summary>
    private static (int Read, int Flows) Compare(Compilation compilation, string? flowName, string what)
    {
        var symbols = FlowSymbols.Create(compilation)!;
        var read = 0;
        var flows = 0;
        foreach (var type in compilation.SyntaxTrees.SelectMany(t => t.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>()
                     .Select(c => (INamedTypeSymbol)compilation.GetSemanticModel(t).GetDeclaredSymbol(c)!))
                     .Where(t => symbols.IsFlow(t) && (flowName is null || t.Name == flowName))
                     .Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default))
        {
            flows++;
            var artifacts = FlowReader.ArtifactNames(type, symbols);
            if (FlowAnalyzer.ReadFromSyntax(type, symbols, artifacts, compilation, CancellationToken.None) is not { } fromSyntax)
            {
                continue;
            }

            read++;
            foreach (var (method, body) in fromSyntax)
            {
                var syntax = (MethodDeclarationSyntax)method.DeclaringSyntaxReferences[0].GetSyntax();
                var operation = (IMethodBodyOperation)compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax)!;
                var bound = StepBodyReader.Read(operation, ControlFlowGraph.Create(operation), symbols, type, artifacts, CancellationToken.None);
                Assert.That(Describe(body), Is.EqualTo(Describe(bound)), $"{what}: {type.Name}.{method.Name}");
            }
        }

        return (read, flows);
    }

    private static string Describe(StepBody body)
    {
        static string Uses(IEnumerable<analyzers::Flow.Generators.Model.NamedUse> uses) => string.Join(", ", uses.Select(u => $"{u.Name}@{u.Location?.Span}"));
        return string.Join("\n", new[]
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
            "uses: " + (body.Uses is null ? "(any)" : string.Join(", ", body.Uses.OrderBy(n => n, StringComparer.Ordinal))),
        });
    }
}
