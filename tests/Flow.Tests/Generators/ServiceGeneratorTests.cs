using Flow.Hosting;
using Flow.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Flow.Tests.Generators;

/// <summary>
/// The generated part of a web service, and the program's entry point with a service: compared with their golden
/// files in Snapshots/BranchService (UPDATE_GOLDEN=1 rewrites them), compiled without warnings against Flow.Hosting,
/// and mapped onto a real ASP.NET Core route table.
/// </summary>
[NonParallelizable]
public class ServiceGeneratorTests
{
    private const string Flow = """
        using Flow;

        namespace Samples;

        public partial class BranchFlow : FlowSpec
        {
            public int X { get; set; }

            public int Out { get; set; }

            [Step]
            public void Start()
            {
                X = 0;
                Next(A, B);
            }

            [Step]
            public void A()
            {
                X += 2;
                Next(Join);
            }

            [Step]
            public void B()
            {
                X += 3;
                Next(Join);
            }

            [Step]
            public void Join(JoinInputs<BranchFlow> inputs)
            {
                Out = inputs.Max(i => i.X);
                Next(End);
            }

            [Step]
            public void End() => System.Console.WriteLine($"out = {Out}");
        }
        """;

    private const string Service = """
        using System.Threading;
        using Flow;

        namespace Samples;

        public enum Scale { Linear, Log }

        public sealed record Scenario(int Extra);

        public sealed record Forecast(int Value);

        public partial class BranchService : WebServiceSpec<BranchFlow>
        {
            [Endpoint]
            public object ShowData() => new { result = Artifacts.Out };

            [Endpoint]
            public Forecast WhatIf(Scenario scenario) => new(Artifacts.Out + scenario.Extra);

            [Endpoint]
            public Task<int[]> Top(int count = 3, CancellationToken cancellationToken = default) =>
                Task.FromResult(Enumerable.Repeat(Artifacts.Out, count).ToArray());

            [Endpoint]
            public string GetURLFor(string? name = null, Scale scale = Scale.Log, double @double = 1.5, bool @checked = true) => $"{name}/{scale}/{@double}/{@checked}";

            [Endpoint]
            public Task Refresh() => Task.CompletedTask;

            [Endpoint]
            public Task<int> Total() => Task.FromResult(Artifacts.Out);

            [Endpoint]
            public ValueTask<string> Label(int __context = 1) => ValueTask.FromResult($"out {Artifacts.Out + __context}");
        }
        """;

    private static (GeneratorDriver Driver, Compilation Output) Generate(params (string Path, string Source)[] sources) =>
        GeneratorHarness.Generate(GeneratorHarness.Compile(sources, OutputKind.ConsoleApplication, "BranchService"));

    [Test]
    public void TheGeneratedServiceAndEntryPointMatchTheirSnapshots()
    {
        var (driver, output) = Generate(("BranchFlow.cs", Flow), ("BranchService.cs", Service));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty, "the service with its generated code must compile");

        var generated = driver.GetRunResult().Results.Single().GeneratedSources
            .Where(s => s.HintName is "Samples.BranchService.WebService.g.cs" or "FlowEntryPoint.g.cs")
            .ToList();
        Assert.That(generated.Select(s => s.HintName), Is.EquivalentTo(new[] { "Samples.BranchService.WebService.g.cs", "FlowEntryPoint.g.cs" }));
        var folder = Path.Combine(RepoPaths.Root, "tests", "Flow.Tests", "Snapshots", "BranchService");
        var update = Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1";
        foreach (var source in generated)
        {
            var path = Path.Combine(folder, source.HintName + ".txt");
            var actual = Normalize(source.SourceText.ToString());
            if (update || (!Ci.IsCi && !File.Exists(path)))
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(path, actual);
                Assert.Warn($"Snapshot {path} written; review and commit it.");
                continue;
            }

            Assert.That(actual, Is.EqualTo(Normalize(File.ReadAllText(path))), $"{source.HintName} differs from its snapshot; run with UPDATE_GOLDEN=1 if that is intended");
        }
    }

    [Test]
    public async Task TheGeneratedCodeCompilesWithoutWarningsAgainstFlowHosting()
    {
        var (driver, output) = Generate(("BranchFlow.cs", Flow), ("BranchService.cs", Service));
        Assert.That(driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName), Does.Contain("Samples.BranchService.WebService.g.cs"));
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.That(problems, Is.Empty);
        Assert.That(await GeneratorHarness.ErrorsAsync(output), Is.Empty, "the analyzer agrees that the service is valid");
    }

    [Test]
    public void TheGeneratedDefinitionMapsEveryEndpointOntoItsRouteAndMethod()
    {
        var (_, output) = Generate(("BranchFlow.cs", Flow), ("BranchService.cs", Service));
        var assembly = GeneratorHarness.Load(output);
        var service = assembly.GetType("Samples.BranchService", throwOnError: true)!;
        var definition = (WebServiceDefinition)service.GetNestedType("__WebServiceDefinition", System.Reflection.BindingFlags.NonPublic)!
            .GetField("Instance", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .GetValue(null)!;
        Assert.That(definition.Name, Is.EqualTo("BranchService"));
        Assert.That(definition.Flow.Graph.Name, Is.EqualTo("BranchFlow"));
        Assert.That(
            definition.Endpoints.Select(e => $"{e.HttpMethod} {e.Route} {e.Method}"),
            Is.EqualTo(new[] { "GET /show_data ShowData", "POST /what_if WhatIf", "GET /top Top", "GET /get_url_for GetURLFor", "GET /refresh Refresh", "GET /total Total", "GET /label Label" }));

        // ASP.NET Core builds each endpoint's request delegate from the generated handler: a parameter it cannot bind fails here.
        var app = WebApplication.CreateSlimBuilder().Build();
        definition.MapEndpoints(app);
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
        Assert.That(
            endpoints.Select(e => $"{string.Join(",", e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)} {e.RoutePattern.RawText} {e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName}"),
            Is.EqualTo(new[] { "GET /show_data ShowData", "POST /what_if WhatIf", "GET /top Top", "GET /get_url_for GetURLFor", "GET /refresh Refresh", "GET /total Total", "GET /label Label" }));
        var top = endpoints.Single(e => e.RoutePattern.RawText == "/top");
        Assert.That(top.Metadata.GetMetadata<System.Reflection.MethodInfo>()?.GetParameters().Select(p => $"{p.Name}={p.DefaultValue}"), Is.EqualTo(new[] { "__context=", "count=3", "cancellationToken=" }).Or.Null);

        // A handler of the HttpContext alone that returns a Task would be taken for a RequestDelegate, whose result is
        // never written; mapped as a Delegate, its method is in the endpoint's metadata and its result is the response.
        Assert.That(endpoints.Single(e => e.RoutePattern.RawText == "/total").Metadata.GetMetadata<System.Reflection.MethodInfo>()?.ReturnType, Is.EqualTo(typeof(Task<int>)));
        Assert.That(endpoints.Single(e => e.RoutePattern.RawText == "/refresh").Metadata.GetMetadata<System.Reflection.MethodInfo>()?.ReturnType, Is.EqualTo(typeof(Task)));

        // A string is answered as JSON like every other value, not as minimal APIs' text/plain.
        var text = endpoints.Single(e => e.RoutePattern.RawText == "/get_url_for").Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>().ToList();
        Assert.That(text.SelectMany(m => m.ContentTypes), Does.Contain("application/json").And.Not.Contain("text/plain"));
        Assert.That(text.Select(m => m.Type), Does.Contain(typeof(string)));

        // So is an awaited one, with no parameter but the HttpContext (as a RequestDelegate its result would be lost),
        // beside a parameter that takes the name the generated handler would otherwise give the HttpContext.
        var label = endpoints.Single(e => e.RoutePattern.RawText == "/label");
        Assert.That(label.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>().SelectMany(m => m.ContentTypes), Does.Contain("application/json"));
        Assert.That(label.Metadata.GetMetadata<System.Reflection.MethodInfo>()?.GetParameters().Select(p => p.Name), Is.EqualTo(new[] { "___context", "__context" }));
    }

    [Test]
    public void TheEntryPointOfSeveralFlowsPassesTheServeCommandOfEachService()
    {
        var other = Flow.Replace("BranchFlow", "OtherFlow", StringComparison.Ordinal);
        var (driver, output) = Generate(("BranchFlow.cs", Flow), ("OtherFlow.cs", other), ("BranchService.cs", Service));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning), Is.Empty);
        var main = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "FlowEntryPoint.g.cs").SourceText.ToString();
        Assert.That(Normalize(main), Does.Contain("""
                    return global::Flow.Cli.FlowApp.Run(
                        args,
                        new global::Flow.FlowDefinition[]
                        {
                            global::Flow.Cli.FlowApp.DefinitionOf<global::Samples.BranchFlow>(),
                            global::Flow.Cli.FlowApp.DefinitionOf<global::Samples.OtherFlow>(),
                        },
                        new global::Flow.Cli.FlowProgramCommand[]
                        {
                            global::Flow.Hosting.WebService.ServeCommand<global::Samples.BranchService>(),
                            global::Flow.Hosting.FlowUi.Command<global::Samples.BranchFlow>(),
                            global::Flow.Hosting.FlowUi.Command<global::Samples.OtherFlow>(),
                        });
            """));
    }

    [Test]
    public async Task AServiceOverAnInvalidFlowGetsNoGeneratedCodeAndNoFollowOnError()
    {
        var broken = Flow.Replace("public void Join(JoinInputs<BranchFlow> inputs)", "public void Join()", StringComparison.Ordinal)
            .Replace("Out = inputs.Max(i => i.X);", "Out = X;", StringComparison.Ordinal);
        var (driver, output) = Generate(("BranchFlow.cs", broken), ("BranchService.cs", Service));
        Assert.That(driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName), Does.Not.Contain("Samples.BranchService.WebService.g.cs"));
        var errors = await GeneratorHarness.ErrorsAsync(output);
        Assert.That(errors, Is.Not.Empty);
        Assert.That(errors.Select(e => e.Id), Is.All.StartsWith("FLOW"), "the flow's errors only: " + string.Join("; ", errors));
    }

    [Test]
    public async Task AnInvalidServiceGetsNoGeneratedCodeAndOnlyItsOwnError()
    {
        var (driver, output) = Generate(("BranchFlow.cs", Flow), ("BranchService.cs", Service.Replace("public partial class BranchService", "public class BranchService", StringComparison.Ordinal)));
        Assert.That(driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName), Does.Not.Contain("Samples.BranchService.WebService.g.cs"));
        var errors = await GeneratorHarness.ErrorsAsync(output);
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW042" }));
    }

    [Test]
    public async Task ARequiredMemberThatNewCannotSetIsFLOW042AndNoGeneratedCode()
    {
        // new BranchService() in generated code would be CS9035, which the user cannot act on; the base class's member counts too.
        var service = Service
            .Replace("public partial class BranchService : WebServiceSpec<BranchFlow>", "public abstract class Scaled : WebServiceSpec<BranchFlow>\n{\n    public required int Factor { get; init; }\n}\n\npublic partial class BranchService : Scaled", StringComparison.Ordinal);
        Assert.That(service, Does.Contain("partial class BranchService : Scaled"));
        var (driver, output) = Generate(("BranchFlow.cs", Flow), ("BranchService.cs", service));
        Assert.That(driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName), Does.Not.Contain("Samples.BranchService.WebService.g.cs"));
        var errors = await GeneratorHarness.ErrorsAsync(output);
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW042" }), string.Join("; ", errors));
        Assert.That(errors[0].GetMessage(), Does.Contain("required member Factor"));
    }

    [Test]
    public async Task ARequiredMemberSetByASetsRequiredMembersConstructorIsGeneratedAndCompiles()
    {
        var service = Service.Replace(
            "public partial class BranchService : WebServiceSpec<BranchFlow>\n{",
            "public partial class BranchService : WebServiceSpec<BranchFlow>\n{\n    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]\n    public BranchService() => Factor = 2;\n\n    public required int Factor { get; init; }\n",
            StringComparison.Ordinal);
        Assert.That(service, Does.Contain("required int Factor"));
        var (driver, output) = Generate(("BranchFlow.cs", Flow), ("BranchService.cs", service));
        Assert.That(driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName), Does.Contain("Samples.BranchService.WebService.g.cs"));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning), Is.Empty);
        Assert.That(await GeneratorHarness.ErrorsAsync(output), Is.Empty);
    }

    [Test]
    public async Task AServiceOverAFlowOfAReferencedAssemblyIsGeneratedAndItsProgramServesThatFlow()
    {
        var (_, library) = GeneratorHarness.Generate(GeneratorHarness.Compile(new[] { ("BranchFlow.cs", Flow) }, OutputKind.DynamicallyLinkedLibrary, "Flows"));
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(new[] { ("BranchService.cs", Service) }, OutputKind.ConsoleApplication, "BranchService").AddReferences(Image(library)));
        var generated = driver.GetRunResult().Results.Single().GeneratedSources;
        Assert.That(generated.Select(s => s.HintName), Is.EquivalentTo(new[] { "Samples.BranchService.WebService.g.cs", "FlowEntryPoint.g.cs" }));
        Assert.That(
            generated.Single(s => s.HintName == "FlowEntryPoint.g.cs").SourceText.ToString(),
            Does.Contain("global::Flow.Cli.FlowApp.Run<global::Samples.BranchFlow>(args, global::Flow.Hosting.WebService.ServeCommand<global::Samples.BranchService>(), global::Flow.Hosting.FlowUi.Command<global::Samples.BranchFlow>());"));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning), Is.Empty);
        Assert.That(await GeneratorHarness.ErrorsAsync(output), Is.Empty);
    }

    [Test]
    public async Task FLOW041_Reports_service_over_a_flow_of_an_assembly_built_without_the_generator()
    {
        var library = GeneratorHarness.Compile(new[] { ("BranchFlow.cs", Flow) }, OutputKind.DynamicallyLinkedLibrary, "Flows");
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(new[] { ("BranchService.cs", Service) }, OutputKind.DynamicallyLinkedLibrary, "BranchService").AddReferences(Image(library)));
        Assert.That(driver.GetRunResult().Results.Single().GeneratedSources, Is.Empty);
        var errors = await GeneratorHarness.ErrorsAsync(output);
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW041" }));
        Assert.That(errors[0].GetMessage(), Does.Contain("has no flow definition: its assembly was not built with Flow's generator"));
    }

    private static MetadataReference Image(Compilation library)
    {
        using var stream = new MemoryStream();
        var result = library.Emit(stream);
        Assert.That(result.Success, Is.True, string.Join("\n", result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    [TestCase("ShowData", "/show_data")]
    [TestCase("WhatIf", "/what_if")]
    [TestCase("GetURLFor", "/get_url_for")]
    [TestCase("Top3", "/top3")]
    [TestCase("URL", "/url")]
    [TestCase("Get_Data", "/get_data")]
    public void TheRouteIsTheSnakeCaseOfTheName(string method, string route) =>
        Assert.That(global::Flow.Generators.Rules.ServiceRules.Route(method), Is.EqualTo(route));

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
