using System.Collections;
using System.Reflection;
using Flow.Generators;
using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace Flow.Tests.Generators;

/// <summary>The generator is incremental: an edit inside a step body that keeps the graph re-emits nothing, and its models hold no compiler objects.</summary>
public class IncrementalTests
{
    private const string Source = """
        using Flow;

        public partial class BranchFlow : FlowSpec
        {
            public int X { get; set; }

            [Step] public void Start() { X = 0; Next(A, B); }

            [Step] public void A() { X += 2; Next(Join); }

            [Step] public void B() { X += 3; Next(Join); }

            [Step] public void Join(JoinInputs<BranchFlow> inputs) { X = inputs.Max(i => i.X); Next(End); }

            [Step] public void End() => System.Console.WriteLine(X);
        }
        """;

    [Test]
    public void AnEditInsideAStepBodyLeavesTheModelCached()
    {
        var compilation = GeneratorHarness.Compile(Source, OutputKind.ConsoleApplication);
        var (driver, _) = GeneratorHarness.Generate(compilation);

        var tree = compilation.SyntaxTrees.First();
        var edited = tree.WithChangedText(tree.GetText().WithChanges(new Microsoft.CodeAnalysis.Text.TextChange(
            new Microsoft.CodeAnalysis.Text.TextSpan(Source.IndexOf("X += 2", StringComparison.Ordinal), 6), "X += 7")));
        var next = compilation.ReplaceSyntaxTree(tree, edited);
        driver = driver.RunGenerators(next);

        var result = driver.GetRunResult().Results.Single();
        var steps = result.TrackedSteps[FlowGenerator.ModelStep].SelectMany(s => s.Outputs).ToList();
        Assert.That(steps, Is.Not.Empty);
        Assert.That(steps.Select(o => o.Reason), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.That(outputs.Select(o => o.Reason), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void AnEditThatChangesTheGraphRegeneratesIt()
    {
        var compilation = GeneratorHarness.Compile(Source, OutputKind.ConsoleApplication);
        var (driver, _) = GeneratorHarness.Generate(compilation);
        var tree = compilation.SyntaxTrees.First();
        var text = tree.GetText().ToString().Replace("Next(A, B)", "Next(B, A)", StringComparison.Ordinal);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text))));
        var steps = driver.GetRunResult().Results.Single().TrackedSteps[FlowGenerator.ModelStep].SelectMany(s => s.Outputs);
        Assert.That(steps.Select(o => o.Reason), Has.Some.EqualTo(IncrementalStepRunReason.Modified));
    }

    [Test]
    public void TheModelsHoldNoSymbolsSyntaxOrCompilations()
    {
        var compilation = GeneratorHarness.Compile(Source, OutputKind.ConsoleApplication);
        var (driver, _) = GeneratorHarness.Generate(compilation);
        var result = driver.GetRunResult().Results.Single();
        foreach (var (name, runs) in result.TrackedSteps.Where(s => s.Key is FlowGenerator.ModelStep or FlowGenerator.EntryStep))
        {
            foreach (var output in runs.SelectMany(r => r.Outputs))
            {
                Walk(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.That(
            value is ISymbol or SyntaxNode or SyntaxTree or Location or Compilation or SemanticModel or SyntaxToken,
            Is.False,
            $"{path} holds a {value.GetType().Name}; pipeline models must be plain values");
        if (value is IEnumerable items and not string)
        {
            var i = 0;
            foreach (var item in items)
            {
                Walk(item, $"{path}[{i++}]", seen);
            }

            return;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            Walk(property.GetValue(value), $"{path}.{property.Name}", seen);
        }
    }
}
