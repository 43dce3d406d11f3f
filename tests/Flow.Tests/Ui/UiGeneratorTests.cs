using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Flow.Tests.Ui;

/// <summary>The generated Main passes each flow's ui command in a program that references Flow.Hosting, and only there.</summary>
public class UiGeneratorTests
{
    private const string Branch = """
        using Flow;
        namespace Demo;
        public partial class BranchFlow : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { X = 1; Next(End); }
            [Step] public void End() { }
        }
        """;

    private static string EntryPoint(IEnumerable<MetadataReference> references, params (string, string)[] sources)
    {
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(sources, OutputKind.ConsoleApplication, "Program", references));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning), Is.Empty);
        return driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("FlowEntryPoint.g.cs", StringComparison.Ordinal)).ToString();
    }

    [Test]
    public void AProgramWithFlowHostingGetsTheUiCommand() =>
        Assert.That(EntryPoint(References.All, ("Flow.cs", Branch)), Does.Contain("global::Flow.Cli.FlowApp.Run<global::Demo.BranchFlow>(args, global::Flow.Hosting.FlowUi.Command<global::Demo.BranchFlow>());"));

    [Test]
    public void AProgramWithoutFlowHostingGetsTheMainItHadBefore() =>
        Assert.That(EntryPoint(References.WithoutHosting, ("Flow.cs", Branch)), Does.Contain("public static int Main(string[] args) => global::Flow.Cli.FlowApp.Run<global::Demo.BranchFlow>(args);").And.Not.Contain("FlowUi"));

    [Test]
    public void EachFlowOfAProgramWithSeveralGetsItsUiCommand()
    {
        var main = EntryPoint(References.All, ("A.cs", Branch), ("B.cs", Branch.Replace("BranchFlow", "OtherFlow", StringComparison.Ordinal)));
        Assert.That(main, Does.Contain("global::Flow.Hosting.FlowUi.Command<global::Demo.BranchFlow>(),").And.Contain("global::Flow.Hosting.FlowUi.Command<global::Demo.OtherFlow>(),"));
    }
}
