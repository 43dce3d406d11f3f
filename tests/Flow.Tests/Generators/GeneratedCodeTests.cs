using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Flow.Tests.Generators;

/// <summary>Generated code compiles and runs: the generated Main executes the flow; invalid flows get no generated code.</summary>
[NonParallelizable]
public class GeneratedCodeTests
{
    private const string Branch = """
        using Flow;

        namespace Demo;

        public partial class BranchFlow : FlowSpec
        {
            public int X { get; set; }
            public int Out { get; set; }

            [Step] public void Start() { X = 0; Next(A, B); }
            [Step] public void A() { X += 2; Next(Join); }
            [Step] public void B() { X += 3; Next(Join); }
            [Step] public void Join(JoinInputs<BranchFlow> inputs) { Out = inputs.Max(i => i.X) + inputs.A().X * 0; Next(End); }
            [Step] public void End() => Console.WriteLine($"out = {Out}");
        }
        """;

    [Test]
    public async Task TheGeneratedMainRunsTheFlow()
    {
        var (_, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(Branch, OutputKind.ConsoleApplication));
        Assert.That(await GeneratorHarness.ErrorsAsync(output), Is.Empty);
        var assembly = GeneratorHarness.Load(output);

        var stdout = new StringWriter();
        var original = Console.Out;
        Console.SetOut(stdout);
        int code;
        try
        {
            var root = Directory.CreateTempSubdirectory("flow-test-").FullName;
            code = (int)assembly.EntryPoint!.Invoke(null, [new[] { "run", "--max-workers", "1", "--isolation", "InProcess", "--datastore-root", root }])!;
            Directory.Delete(root, recursive: true);
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout.ToString(), Does.Contain("out = 3"));
    }

    private const string Loop = """
        using Flow;

        namespace Demo;

        public partial class LoopFlow : FlowSpec
        {
            public int Rounds { get; set; }
            public string Label { get; set; } = "";
            public int Height { get; set; }
            public List<int> Items { get; set; } = [];
            public int Steps { get; set; }
            public string Summary { get; set; } = "";

            [Step] public void Start() { Rounds = 0; Label = "kept"; Next(Count); }
            [Step] public void Count() { Rounds += 1; if (Rounds < 3) { Next(Count); } else { Next(Fork); } }
            [Step] public void Fork() { Height = 0; Next(Climb, Flat); }
            [Step] public void Climb() { Height += 10; if (Height < 30) { Next(Climb); } else { Next(Meet); } }
            [Step] public void Flat() { Next(Meet); }
            [Step] public void Meet(JoinInputs<LoopFlow> inputs) { MergeArtifacts(inputs, nameof(Height)); Height = inputs.Climb().Height; Next(Spread); }
            [Step, Foreach(nameof(Items))] public void Spread() { Items = [1, 2, 3]; Steps = 0; Next(Work); }
            [Step] public void Work(int item) { Steps += 1; if (Steps < item) { Next(Work); } else { Next(Gather); } }
            [Step] public void Gather(JoinInputs<LoopFlow> inputs) { MergeArtifacts(inputs, nameof(Steps)); Summary = $"rounds = {Rounds}, label = {Label}, height = {Height}, steps = [{string.Join(",", inputs.Select(i => i.Steps))}]"; Next(End); }
            [Step] public void End() => Console.WriteLine(Summary);
        }
        """;

    [Test]
    public async Task ALoopIsGeneratedAsAConditionalStepThatNamesItselfAndRuns()
    {
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(Loop, OutputKind.ConsoleApplication));
        Assert.That(await GeneratorHarness.ErrorsAsync(output), Is.Empty);
        var generated = driver.GetRunResult().GeneratedTrees;
        var text = generated.Single(t => t.FilePath.EndsWith("LoopFlow.Flow.g.cs", StringComparison.Ordinal)).ToString();
        Assert.That(text, Does.Contain("new(\"Count\", global::Flow.Graph.StepKind.Conditional, global::Flow.Graph.TransitionKind.Conditional, new[] { \"Count\", \"Fork\" })"));
        Assert.That(text, Does.Contain("new(\"Climb\", global::Flow.Graph.StepKind.Conditional, global::Flow.Graph.TransitionKind.Conditional, new[] { \"Climb\", \"Meet\" })"));
        Assert.That(text, Does.Contain("new(\"Work\", global::Flow.Graph.StepKind.Conditional, global::Flow.Graph.TransitionKind.Conditional, new[] { \"Work\", \"Gather\" })"));
        var branches = generated.Single(t => t.FilePath.EndsWith("LoopFlow.Branches.g.cs", StringComparison.Ordinal)).ToString();
        Assert.That(branches, Does.Contain("[global::Flow.JoinBranch(\"Climb\")]"), "a loop that goes into the join of a static split is one of its branches");
        Assert.That(branches, Does.Not.Contain("JoinBranch(\"Work\")"), "the branches of a foreach have no accessor");

        var assembly = GeneratorHarness.Load(output);
        var stdout = new StringWriter();
        var original = Console.Out;
        Console.SetOut(stdout);
        int code;
        try
        {
            var root = Directory.CreateTempSubdirectory("flow-test-").FullName;
            code = (int)assembly.EntryPoint!.Invoke(null, [new[] { "run", "--max-workers", "1", "--isolation", "InProcess", "--datastore-root", root }])!;
            Directory.Delete(root, recursive: true);
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.That(code, Is.EqualTo(0), stdout.ToString());
        Assert.That(stdout.ToString(), Does.Contain("rounds = 3, label = kept, height = 30, steps = [1,2,3]"));
    }

    [Test]
    public void ALibraryGetsNoMain()
    {
        var (driver, _) = GeneratorHarness.Generate(GeneratorHarness.Compile(Branch, OutputKind.DynamicallyLinkedLibrary));
        Assert.That(driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)), Is.EqualTo(new[] { "Demo.BranchFlow.Flow.g.cs", "Demo.BranchFlow.Branches.g.cs" }));
    }

    [Test]
    public void FlowGenerateMainFalseTurnsTheMainOff()
    {
        var (driver, _) = GeneratorHarness.Generate(
            GeneratorHarness.Compile(Branch, OutputKind.ConsoleApplication),
            new Dictionary<string, string> { ["FlowGenerateMain"] = "false" });
        Assert.That(driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)), Does.Not.Contain("FlowEntryPoint.g.cs"));
    }

    [Test]
    public void AProgramWithItsOwnMainKeepsIt()
    {
        var sources = new[] { ("Flow.cs", Branch), ("Program.cs", "public static class Program { public static int Main() => 0; }") };
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(sources, OutputKind.ConsoleApplication));
        Assert.That(driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)), Does.Not.Contain("FlowEntryPoint.g.cs"));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
    }

    [TestCase("namespace App { internal static class Program { private static void Main(string[] args) { } } }")]
    [TestCase("namespace App;\ninternal class Outer { private static class Inner { public static int Main() => 0; } }")]
    public void AMainInNamespacesOrNestedTypesIsFound(string program)
    {
        var sources = new[] { ("Flow.cs", Branch), ("Program.cs", program) };
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(sources, OutputKind.ConsoleApplication));
        Assert.That(driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)), Does.Not.Contain("FlowEntryPoint.g.cs"));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
    }

    [Test]
    public void TopLevelStatementsKeepTheirEntryPoint()
    {
        var sources = new[] { ("Flow.cs", Branch), ("Program.cs", "return Flow.Cli.FlowApp.Run<Demo.BranchFlow>(args);") };
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(sources, OutputKind.ConsoleApplication));
        Assert.That(driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)), Does.Not.Contain("FlowEntryPoint.g.cs"));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
    }

    [Test]
    public void SeveralFlowsShareOneMainThatTakesTheFlowName()
    {
        var second = Branch.Replace("BranchFlow", "OtherFlow", StringComparison.Ordinal);
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(new[] { ("A.cs", Branch), ("B.cs", second) }, OutputKind.ConsoleApplication));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
        var main = driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("FlowEntryPoint.g.cs", StringComparison.Ordinal)).ToString();
        Assert.That(main, Does.Contain("DefinitionOf<global::Demo.BranchFlow>").And.Contain("DefinitionOf<global::Demo.OtherFlow>"));
    }

    [Test]
    public void AnInvalidFlowGetsNoGeneratedCodeAndOnlyTheAnalyzerError()
    {
        var broken = Branch.Replace("Next(A, B);", "Next(A, B, Helper);", StringComparison.Ordinal)
            .Replace("[Step] public void End()", "public void Helper() { }\n    [Step] public void End()", StringComparison.Ordinal);
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(broken, OutputKind.ConsoleApplication));
        Assert.That(
            driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)).Order(),
            Is.EqualTo(new[] { "Demo.BranchFlow.Branches.g.cs", "FlowEntryPoint.g.cs" }),
            "only the entry point, which says the flow is invalid, and the branch accessors the join uses");
        var errors = GeneratorHarness.ErrorsAsync(output).GetAwaiter().GetResult();
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW013" }));
    }

    [Test]
    public void EachStepListsTheArtifactsItNamesUnlessItCanReachOthers()
    {
        const string source = """
            using Flow;

            namespace App;

            public partial class UseFlow : FlowSpec
            {
                public byte[] Big { get; set; } = [];

                public int Small { get; set; }

                public int Other { get; set; }

                [Step]
                public void Start()
                {
                    Big = new byte[1];
                    this.Small = 1;
                    Next(Middle);
                }

                [Step]
                public void Middle()
                {
                    System.Func<int> later = () => Other;
                    Small = later() + 1;
                    Next(Helper);
                }

                [Step]
                public void Helper()
                {
                    Log();
                    Next(Pass);
                }

                [Step]
                public void Pass()
                {
                    Save(this);
                    Next(End);
                }

                [Step]
                public void End()
                {
                }

                private void Log() => System.Console.WriteLine(Big.Length);

                private static void Save(UseFlow flow) => System.Console.WriteLine(flow.Small);
            }
            """;
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(source, OutputKind.DynamicallyLinkedLibrary));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
        var text = driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("UseFlow.Flow.g.cs", StringComparison.Ordinal)).ToString();

        Assert.That(Uses(text, "Start"), Is.EqualTo("new[] { \"Big\", \"Small\" }"), "what the body names, through this. or not");
        Assert.That(Uses(text, "Middle"), Is.EqualTo("new[] { \"Other\", \"Small\" }"), "names inside a lambda count");
        Assert.That(Uses(text, "Helper"), Is.Null, "a method of the flow may touch any artifact");
        Assert.That(Uses(text, "Pass"), Is.Null, "so may code this is passed to");
        Assert.That(Uses(text, "End"), Is.EqualTo("global::System.Array.Empty<string>()"));

        // A field may hold something that reaches artifacts (a helper given `this`, a lambda): so may a constructor.
        var field = source.Replace("private void Log()", "private readonly System.Func<int> _read = () => 0;\n\n    private void Log()", StringComparison.Ordinal)
            .Replace("Small = later() + 1;", "Small = later() + _read();", StringComparison.Ordinal);
        var (withField, _) = GeneratorHarness.Generate(GeneratorHarness.Compile(field, OutputKind.DynamicallyLinkedLibrary));
        var fieldText = withField.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("UseFlow.Flow.g.cs", StringComparison.Ordinal)).ToString();
        Assert.That(Uses(fieldText, "Start"), Is.EqualTo("new[] { \"Big\", \"Small\" }"));
        Assert.That(Uses(fieldText, "Middle"), Is.Null, "a step that uses a field of the flow");
        var constructor = source.Replace("private void Log()", "public UseFlow()\n    {\n    }\n\n    private void Log()", StringComparison.Ordinal);
        var (withConstructor, _) = GeneratorHarness.Generate(GeneratorHarness.Compile(constructor, OutputKind.DynamicallyLinkedLibrary));
        Assert.That(withConstructor.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("UseFlow.Flow.g.cs", StringComparison.Ordinal)).ToString(), Does.Not.Contain("Uses ="));

        // An artifact whose accessors have bodies may touch others: every step restores everything.
        var computed = source.Replace("public int Other { get; set; }", "public int Other { get => Small; set => Small = value; }", StringComparison.Ordinal);
        var (again, _) = GeneratorHarness.Generate(GeneratorHarness.Compile(computed, OutputKind.DynamicallyLinkedLibrary));
        var all = again.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("UseFlow.Flow.g.cs", StringComparison.Ordinal)).ToString();
        Assert.That(all, Does.Not.Contain("Uses ="));

        static string? Uses(string generated, string step)
        {
            var start = generated.IndexOf($"new(\"{step}\",", StringComparison.Ordinal);
            Assert.That(start, Is.GreaterThanOrEqualTo(0), $"step {step} in\n{generated}");
            var end = generated.IndexOf("    },", start, StringComparison.Ordinal);
            var block = generated[start..end];
            var at = block.IndexOf("Uses = ", StringComparison.Ordinal);
            return at < 0 ? null : block[(at + "Uses = ".Length)..block.IndexOf(",\n", at, StringComparison.Ordinal)].Trim();
        }
    }
}
