using System.Collections;
using System.Reflection;
using Flow.Generators;
using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace Flow.Tests.Generators;

/// <summary>
/// The generator is incremental: an edit that keeps the graph and the artifacts each step names (inside a
/// body, or lines inserted above a step) emits nothing again, and its models hold no compiler objects.
/// </summary>
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

    [TestCase("X += 2", "X += 7", TestName = "AnEditInsideAStepBodyLeavesEveryOutputCached(a constant)")]
    [TestCase("X += 2;", "X += 2; System.Console.WriteLine(X * 2);", TestName = "AnEditInsideAStepBodyLeavesEveryOutputCached(a statement naming the same artifact)")]
    [TestCase("[Step] public void A()", "[Step]\n    public void A()", TestName = "AnEditInsideAStepBodyLeavesEveryOutputCached(a line break in a signature)")]
    [TestCase("    [Step] public void A()", "\n\n    // A comment above a step.\n\n    [Step] public void A()", TestName = "InsertingLinesAboveAStepLeavesEveryOutputCached")]
    [TestCase("using Flow;", "// A header.\n\nusing System;\nusing Flow;", TestName = "InsertingLinesAboveTheFlowLeavesEveryOutputCached")]
    [TestCase("[Step] public void Start() { X = 0; Next(A, B); }", "[Step] public void Start() { Y = 1; X = 0; Next(A, B); }", "[Step] public void Start() { X = 0; Y = 1; Next(A, B); }", TestName = "ReorderingTheWritesInAStepLeavesEveryOutputCached")]
    public void AnEditThatKeepsTheGraphAndTheArtifactsNamedLeavesEveryOutputCached(string find, string replace, string? before = null)
    {
        if (before is null)
        {
            AssertCached(Source, Source.Replace(find, replace, StringComparison.Ordinal));
            return;
        }

        var withY = Source.Replace("public int X { get; set; }", "public int X { get; set; }\n\n    public int Y { get; set; }", StringComparison.Ordinal);
        AssertCached(withY.Replace(find, before, StringComparison.Ordinal), withY.Replace(find, replace, StringComparison.Ordinal));
    }

    [Test]
    public void InsertingLinesAboveAnArtifactInOneFileOfAPartialFlowLeavesEveryOutputCached()
    {
        const string other = "public partial class BranchFlow\n{\n    public int Q { get; set; }\n}\n";
        var sources = new[] { ("Flow.cs", Source), ("More.cs", other) };
        var compilation = GeneratorHarness.Compile(sources, OutputKind.ConsoleApplication);
        var (driver, _) = GeneratorHarness.Generate(compilation);
        var tree = compilation.SyntaxTrees.First(t => t.FilePath == "More.cs");
        var text = other.Replace("    public int Q", "    // A comment.\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n    public int Q", StringComparison.Ordinal);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text))));
        var result = driver.GetRunResult().Results.Single();
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.That(outputs, Is.Not.Empty);
        Assert.That(outputs.Select(o => o.Reason), Is.All.EqualTo(IncrementalStepRunReason.Cached), "the artifacts keep their order");
    }

    private static void AssertCached(string original, string source)
    {
        Assert.That(source, Is.Not.EqualTo(original));
        var result = RunEdited(original, source);

        var models = result.TrackedSteps[FlowGenerator.ModelStep].SelectMany(s => s.Outputs).ToList();
        Assert.That(models, Is.Not.Empty);
        Assert.That(models.Select(o => o.Reason), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), "the models are equal");
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.That(outputs, Has.Count.EqualTo(3), "the flow, its branch accessors and the entry point");
        Assert.That(outputs.Select(o => o.Reason), Is.All.EqualTo(IncrementalStepRunReason.Cached), "no source is emitted again");
    }

    private const string ServiceSource = """
        using Flow;

        public partial class BranchService : WebServiceSpec<BranchFlow>
        {
            [Endpoint] public int Show() => Artifacts.X + 1;

            [Endpoint] public int Add(int count = 2) => Artifacts.X + count;
        }
        """;

    [TestCase("Artifacts.X + 1", "Artifacts.X * 3 + 1", TestName = "AnEditInsideAnEndpointBodyLeavesEveryOutputCached")]
    [TestCase("[Endpoint] public int Add", "\n\n    // A comment above an endpoint.\n    [Endpoint] public int Add", TestName = "InsertingLinesAboveAnEndpointLeavesEveryOutputCached")]
    public void AnEditThatKeepsAServicesEndpointsLeavesEveryOutputCached(string find, string replace)
    {
        var result = RunEditedService(ServiceSource.Replace(find, replace, StringComparison.Ordinal));
        var models = result.TrackedSteps[FlowGenerator.ServiceStep].SelectMany(s => s.Outputs).ToList();
        Assert.That(models, Is.Not.Empty);
        Assert.That(models.Select(o => o.Reason), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), "the service's model is equal");
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.That(outputs, Has.Count.EqualTo(4), "the flow, its branch accessors, the service and the entry point");
        Assert.That(outputs.Select(o => o.Reason), Is.All.EqualTo(IncrementalStepRunReason.Cached), "no source is emitted again");
    }

    [Test]
    public void AnEditThatRenamesAnEndpointRegeneratesTheService()
    {
        var result = RunEditedService(ServiceSource.Replace("Show()", "Display()", StringComparison.Ordinal));
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.That(outputs.Select(o => o.Reason), Has.Some.EqualTo(IncrementalStepRunReason.Modified), "the route is now /display");
        Assert.That(result.GeneratedSources.Single(s => s.HintName == "BranchService.WebService.g.cs").SourceText.ToString(), Does.Contain("\"/display\""));
    }

    [Test]
    public void TheServiceModelsHoldNoSymbolsSyntaxOrCompilations()
    {
        var compilation = GeneratorHarness.Compile(new[] { ("Flow.cs", Source), ("Service.cs", ServiceSource) }, OutputKind.ConsoleApplication);
        var (driver, _) = GeneratorHarness.Generate(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.That(result.GeneratedSources.Select(s => s.HintName), Does.Contain("BranchService.WebService.g.cs"));
        foreach (var (name, runs) in result.TrackedSteps.Where(s => s.Key is FlowGenerator.ServiceStep or FlowGenerator.EntryStep))
        {
            foreach (var output in runs.SelectMany(r => r.Outputs))
            {
                Walk(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    private static GeneratorRunResult RunEditedService(string service)
    {
        Assert.That(service, Is.Not.EqualTo(ServiceSource));
        var compilation = GeneratorHarness.Compile(new[] { ("Flow.cs", Source), ("Service.cs", ServiceSource) }, OutputKind.ConsoleApplication);
        var (driver, _) = GeneratorHarness.Generate(compilation);
        var tree = compilation.SyntaxTrees.First(t => t.FilePath == "Service.cs");
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(service))));
        return driver.GetRunResult().Results.Single();
    }

    [Test]
    public void AnEditThatNamesAnotherArtifactRegeneratesTheFlow()
    {
        var source = Source.Replace("public int X { get; set; }", "public int X { get; set; }\n\n    public int Y { get; set; }", StringComparison.Ordinal);
        var result = RunEdited(source, source.Replace("X += 2;", "X += 2; Y = 1;", StringComparison.Ordinal));
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.That(outputs.Select(o => o.Reason), Has.Some.EqualTo(IncrementalStepRunReason.Modified), "step A now writes Y: the runtime must persist it");
    }

    [Test]
    public void AnEditInOneFileKeepsTheMainFoundInAnotherWithoutLookingForItAgain()
    {
        var sources = new[] { ("Flow.cs", Source), ("Program.cs", "namespace App { internal static class Program { private static void Main() { } } }") };
        var compilation = GeneratorHarness.Compile(sources, OutputKind.ConsoleApplication);
        var (driver, _) = GeneratorHarness.Generate(compilation);
        var tree = compilation.SyntaxTrees.First(t => t.FilePath == "Flow.cs");
        var text = Source.Replace("X += 2", "X += 7", StringComparison.Ordinal);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text))));

        // The syntax provider looks for candidates (its predicate) in the changed tree only; what it found in the
        // others is kept, and only its constant transform runs again, which Roslyn does for every compilation.
        var result = driver.GetRunResult().Results.Single();
        var found = result.TrackedSteps[FlowGenerator.OwnMainCandidatesStep].SelectMany(s => s.Outputs).ToList();
        Assert.That(found, Has.Count.EqualTo(1), "Program.Main");
        Assert.That(found.Select(o => o.Reason), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
        var ownMain = result.TrackedSteps[FlowGenerator.OwnMainStep].SelectMany(s => s.Outputs).ToList();
        Assert.That(ownMain.Select(o => o.Value), Is.All.SameAs(Flag.Set));
        Assert.That(ownMain.Select(o => o.Reason), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
        Assert.That(result.GeneratedSources.Select(s => s.HintName), Does.Not.Contain("FlowEntryPoint.g.cs"));
    }

    [Test]
    public void AFlowThatFailsOnlyAPathRuleIsGeneratedAndTheAnalyzerFailsTheBuild()
    {
        // Whether Next is called on every path needs the body's control-flow graph, which the generator does not build.
        var source = Source.Replace("X += 2; Next(Join);", "X += 2; if (X > 1) { Next(Join); }", StringComparison.Ordinal);
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(source, OutputKind.ConsoleApplication));
        Assert.That(driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)), Does.Contain("BranchFlow.Flow.g.cs"));
        var errors = GeneratorHarness.ErrorsAsync(output).GetAwaiter().GetResult();
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW011" }));
    }

    private static GeneratorRunResult RunEdited(string before, string after)
    {
        var compilation = GeneratorHarness.Compile(before, OutputKind.ConsoleApplication);
        var (driver, _) = GeneratorHarness.Generate(compilation);
        var tree = compilation.SyntaxTrees.First();
        var edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(after));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, edited));
        return driver.GetRunResult().Results.Single();
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
        foreach (var (name, runs) in result.TrackedSteps.Where(s => s.Key is FlowGenerator.ModelStep or FlowGenerator.EntryStep or FlowGenerator.OwnMainStep or FlowGenerator.OwnMainCandidatesStep))
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
