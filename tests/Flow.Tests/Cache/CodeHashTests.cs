using System.Text.RegularExpressions;
using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using Flow.Generators;
using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Flow.Tests.Cache;

/// <summary>
/// The code hash the generator emits for [Cache] steps: what changes it and what does not, that the generator stays
/// incremental, and that a flow compiled again with an edited step runs that step again.
/// </summary>
public class CodeHashTests
{
    private const string Source = """
        using Flow;

        public partial class HashFlow : FlowSpec
        {
            private const int Factor = 3;

            public int X { get; set; }

            public int Y { get; set; }

            [Step] public void Start() { X = 1; Next(Featurize); }

            [Step, Cache]
            public void Featurize()
            {
                // Scale the input.
                Y = Scale(X);
                Next(End);
            }

            private int Scale(int x) => Twice(x) + 1;

            private int Twice(int x) => x * Factor;

            private int NotCalled(int x) => x - 1;

            [Step] public void End() => System.Console.WriteLine(Y);
        }
        """;

    private static string Generated(string source, string flow = "HashFlow")
    {
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(source, OutputKind.DynamicallyLinkedLibrary));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
        return driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == $"{flow}.Flow.g.cs").SourceText.ToString();
    }

    // The emitted StepNode of one step: its initializer's lines.
    private static string Node(string generated, string step)
    {
        var match = Regex.Match(generated, $@"new\(""{step}"",[^\n]*\n\s*\{{(?<body>.*?)\n\s*\}},", RegexOptions.Singleline);
        Assert.That(match.Success, Is.True, $"step {step} in\n{generated}");
        return match.Groups["body"].Value;
    }

    private static string? HashOf(string source, string step = "Featurize", string flow = "HashFlow") =>
        Regex.Match(Node(Generated(source, flow), step), @"CodeHash = ""(?<hash>[^""]*)""") is { Success: true } m ? m.Groups["hash"].Value : null;

    private static string Edit(string find, string replace)
    {
        Assert.That(Source, Does.Contain(find));
        return Source.Replace(find, replace, StringComparison.Ordinal);
    }

    [Test]
    public void OnlyACachedStepGetsACodeHashAndAVersion()
    {
        var generated = Generated(Source);
        Assert.That(HashOf(Source), Does.Match("^[0-9a-f]{64}$"));
        Assert.That(Node(generated, "Featurize"), Does.Contain("Cache = new global::Flow.Graph.CachePolicy(\"\"),"));
        Assert.That(Node(generated, "Start"), Does.Not.Contain("CodeHash").And.Not.Contain("Cache ="));
        Assert.That(Node(Generated(Edit("[Step, Cache]", "[Step, Cache(Version = \"2\")]")), "Featurize"), Does.Contain("CachePolicy(\"2\")"));
    }

    [TestCase("Y = Scale(X);", "Y = Scale(X) + 1;", TestName = "AnEditInTheStepChangesItsCodeHash")]
    [TestCase("=> Twice(x) + 1", "=> Twice(x) + 2", TestName = "AnEditInAMethodTheStepCallsChangesItsCodeHash")]
    [TestCase("=> x * Factor", "=> x * Factor * 1", TestName = "AnEditInAMethodCalledTransitivelyChangesItsCodeHash")]
    [TestCase("const int Factor = 3", "const int Factor = 4", TestName = "AnEditOfAConstantTheStepUsesChangesItsCodeHash")]
    public void AnEditOfWhatTheStepRunsChangesItsCodeHash(string find, string replace) =>
        Assert.That(HashOf(Edit(find, replace)), Is.Not.EqualTo(HashOf(Source)));

    [TestCase("Y = Scale(X);", "Y  =  Scale( X );\n\n", TestName = "WhitespaceLeavesTheCodeHash")]
    [TestCase("// Scale the input.", "/* Another comment. */ // and another", TestName = "CommentsLeaveTheCodeHash")]
    [TestCase("X = 1; Next(Featurize);", "X = 2; Next(Featurize);", TestName = "AnEditInAnotherStepLeavesTheCodeHash")]
    [TestCase("=> x - 1", "=> x - 2", TestName = "AnEditInAMethodTheStepDoesNotCallLeavesTheCodeHash")]
    [TestCase("[Step, Cache]", "[Step, Cache, Retry(Times = 2)]", TestName = "AnotherDecoratorLeavesTheCodeHash")]
    [TestCase("[Step] public void End() => System.Console.WriteLine(Y);", "[Step] public void End() => System.Console.WriteLine(Y + 1);", TestName = "AnEditInTheStepThatFollowsLeavesTheCodeHash")]
    public void AnEditOfAnythingElseLeavesTheCodeHash(string find, string replace) =>
        Assert.That(HashOf(Edit(find, replace)), Is.EqualTo(HashOf(Source)));

    private const string Scripted = """
        using System.Threading.Tasks;
        using Flow;

        namespace Tools
        {
            public static class Script
            {
                public static void Run(string path) { }
            }
        }

        public partial class ScriptedFlow : FlowSpec
        {
            private const string Fit = "scripts/fit.R";

            public int X { get; set; }

            [Step] public void Start() { X = 1; Next(Featurize); }

            [Step, Cache(Files = new[] { "data/lookup.csv" })]
            public void Featurize()
            {
                Script.Run("prep.py");
                X = Train().GetAwaiter().GetResult();
                Script.Run(System.IO.Path.Combine("scripts", "computed.py"));
                Tools.Script.Run("not-flows.py");
                Script.Run(inputs: new { X }, path: "named.py");
                Script.Run("prep.py", new { X });
                Next(End);
            }

            private Task<int> Train() => Script.RunAsync<int>(Fit, new { X });

            private void NotCalled() => Script.Run("unused.py");

            [Step, Cache] public void End() { Script.Run($"{"report"}.py"); Script.Run(" "); }
        }
        """;

    [Test]
    public void TheScriptsACachedStepRunsWithAConstantPathAreInItsCachePolicy()
    {
        var generated = Generated(Scripted, "ScriptedFlow");

        // Its Files first, then each constant path of a call of Flow's Script.Run or RunAsync, in the step or in the
        // methods it calls, once; a computed path, another class's Run and a method it does not call are not seen.
        Assert.That(Node(generated, "Featurize"), Does.Contain(
            "Cache = new global::Flow.Graph.CachePolicy(\"\", new[] { \"data/lookup.csv\", \"prep.py\", \"named.py\", \"scripts/fit.R\" }),"));
        Assert.That(Node(generated, "End"), Does.Contain("Cache = new global::Flow.Graph.CachePolicy(\"\", new[] { \"report.py\" }),"), "a constant interpolated string, and no blank path");
        Assert.That(Node(generated, "Start"), Does.Not.Contain("Cache ="));
        Assert.That(Node(Generated(Source), "Featurize"), Does.Contain("Cache = new global::Flow.Graph.CachePolicy(\"\"),"), "a step that runs no script has no files");
    }

    [Test]
    public async Task CacheFilesThatAreEmptyOrNamedTwiceAreFLOW026()
    {
        var (_, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(Edit("[Step, Cache]", "[Step, Cache(Files = new[] { \"a.csv\", \"\", \"a.csv\" })]")));
        var errors = await GeneratorHarness.ErrorsAsync(output);
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW026", "FLOW026" }));
        Assert.That(errors.Select(e => e.GetMessage()), Is.EquivalentTo(new[]
        {
            "[Cache] on Featurize has the file \"\" in Files; each file must be a non-empty path, such as \"data/lookup.csv\"",
            "[Cache] on Featurize names the file \"a.csv\" twice in Files; name each file once",
        }));
    }

    [Test]
    public async Task CacheOnAMethodThatIsNotAStepIsFLOW036()
    {
        var (_, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(Edit("private int NotCalled", "[Cache] public void Helper() { }\n\n    private int NotCalled")));
        var errors = await GeneratorHarness.ErrorsAsync(output);
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW036" }));
        Assert.That(errors[0].GetMessage(), Does.Contain("[Cache] is on Helper, which is not a step"));
    }

    [Test]
    public void AnEditInsideACachedStepRegeneratesOnlyThatFlow()
    {
        const string other = """
            using Flow;

            public partial class OtherFlow : FlowSpec
            {
                public int Z { get; set; }

                [Step] public void Start() { Z = 1; Next(End); }

                [Step, Cache] public void End() => System.Console.WriteLine(Z);
            }
            """;
        var compilation = GeneratorHarness.Compile(new[] { ("Flow.cs", Source + "\n" + other) }, OutputKind.ConsoleApplication);
        var (driver, _) = GeneratorHarness.Generate(compilation);
        var before = driver.GetRunResult().Results.Single().GeneratedSources.ToDictionary(g => g.HintName, g => g.SourceText.ToString());
        var tree = compilation.SyntaxTrees.First(t => t.FilePath == "Flow.cs");
        var edited = (Source + "\n" + other).Replace("Y = Scale(X);", "Y = Scale(X) * 2;", StringComparison.Ordinal);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(edited))));
        var result = driver.GetRunResult().Results.Single();

        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        var modified = outputs.Where(o => o.Reason == IncrementalStepRunReason.Modified).ToList();
        Assert.That(modified, Has.Count.EqualTo(1), "HashFlow's graph, and nothing else");
        var after = result.GeneratedSources.ToDictionary(g => g.HintName, g => g.SourceText.ToString());
        Assert.That(after.Where(g => g.Value != before[g.Key]).Select(g => g.Key), Is.EqualTo(new[] { "HashFlow.Flow.g.cs" }));
        Assert.That(outputs.Where(o => o.Reason != IncrementalStepRunReason.Modified).Select(o => o.Reason), Is.All.EqualTo(IncrementalStepRunReason.Cached));
        var models = result.TrackedSteps[FlowGenerator.ModelStep].SelectMany(s => s.Outputs).ToList();
        Assert.That(models.Count(o => o.Reason == IncrementalStepRunReason.Modified), Is.EqualTo(1));
    }

    // The same flow compiled twice, run against one datastore: an edit of the cached step runs it again, an edit elsewhere does not.
    private const string Runnable = """
        using Flow;

        public partial class EditedFlow : FlowSpec
        {
            public int X { get; set; }

            public int Y { get; set; }

            [Step] public void Start() { X = 1; Next(Featurize); }

            [Step, Cache] public void Featurize() { Y = X + 10; Next(End); }

            [Step] public void End() => System.Console.WriteLine(Y);
        }
        """;

    private static FlowDefinition Compile(string source)
    {
        var (_, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(source, OutputKind.DynamicallyLinkedLibrary));
        var type = GeneratorHarness.Load(output).GetType("EditedFlow")!;
        return (FlowDefinition)typeof(FlowApp).GetMethod(nameof(FlowApp.DefinitionOf))!.MakeGenericMethod(type).Invoke(null, null)!;
    }

    [TestCase("Y = X + 10;", "Y = X + 20;", 0, 21, TestName = "ARunOfTheFlowWithAnEditedCachedStepRunsIt")]
    [TestCase("[Step] public void End() => System.Console.WriteLine(Y);", "[Step] public void End() => System.Console.WriteLine(Y * 2);", 1, 11, TestName = "ARunOfTheFlowWithAnotherStepEditedStillClonesTheCachedStep")]
    [TestCase("[Step, Cache]", "[Step, Cache(Version = \"2\")]", 0, 11, TestName = "ARunOfTheFlowWithTheCacheVersionBumpedRunsTheStep")]
    public async Task AnEditedFlowRunsWhatChanged(string find, string replace, int cached, int y)
    {
        var root = Directory.CreateTempSubdirectory("flow-test-").FullName;
        try
        {
            RunOptions Options() => new() { Log = TextWriter.Null, Output = TextWriter.Null, Datastore = FlowDatastore.Local(root), User = "tester" };
            var first = await new LocalScheduler(Compile(Runnable), Options()).RunAsync();
            Assert.That(first.Succeeded, Is.True, first.Error?.ToString());
            var again = await new LocalScheduler(Compile(Runnable), Options()).RunAsync();
            Assert.That(again.CachedCount, Is.EqualTo(1), "compiled again unchanged, the step is cached");

            Assert.That(Runnable, Does.Contain(find));
            var edited = await new LocalScheduler(Compile(Runnable.Replace(find, replace, StringComparison.Ordinal)), Options()).RunAsync();
            Assert.That(edited.Succeeded, Is.True, edited.Error?.ToString());
            Assert.That(edited.CachedCount, Is.EqualTo(cached));
            Assert.That(edited.Artifact<int>("Y"), Is.EqualTo(y));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
