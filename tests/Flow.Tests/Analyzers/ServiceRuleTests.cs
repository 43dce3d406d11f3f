using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Flow.Tests.Analyzers;

/// <summary>The rules of web services: the class, the flow it serves, its endpoints' shapes, parameters, types and routes, and the artifacts it reads.</summary>
public class ServiceRuleTests
{
    private const string Usings = "using System.IO;\nusing System.Threading;\nusing System.Threading.Tasks;\n\n";

    private const string Flow = """
        public partial class F : FlowSpec
        {
            public int Out { get; set; }
            [Step] public void Start() { Out = 1; Next(End); }
            [Step] public void End() { }
        }

        public record Scenario(int Size);

        public record Other(string Name);

        """;

    private static Task VerifyAsync(string source) => AnalyzerVerifier.VerifyAsync(Usings + Flow + source);

    [Test]
    public Task FLOW040_Reports_endpoint_on_a_class_that_is_not_a_service() => VerifyAsync("""
        public class Helper
        {
            [Endpoint] public int {|FLOW040:Ping|}() => 1;
        }
        """);

    [Test]
    public Task FLOW040_Accepts_endpoint_on_a_service() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public int Ping() => Artifacts.Out;
        }
        """);

    [Test]
    public Task FLOW041_Reports_service_over_an_abstract_flow() => VerifyAsync("""
        public abstract class Base : FlowSpec
        {
            public int Value { get; set; }
        }

        public partial class {|FLOW041:S|} : WebServiceSpec<Base>
        {
            [Endpoint] public int Value() => Artifacts.Value;
        }
        """);

    [Test]
    public Task FLOW041_Accepts_service_over_a_flow() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public int Value() => Artifacts.Out;
        }
        """);

    [Test]
    public Task FLOW042_Reports_service_that_is_not_partial() => VerifyAsync("""
        public class {|FLOW042:S|} : WebServiceSpec<F>
        {
            [Endpoint] public int Value() => Artifacts.Out;
        }
        """);

    [Test]
    public Task FLOW042_Reports_nested_and_generic_services() => VerifyAsync("""
        public static class Outer
        {
            public partial class {|FLOW042:Nested|} : WebServiceSpec<F>
            {
                [Endpoint] public int Value() => Artifacts.Out;
            }
        }

        public partial class {|FLOW042:Generic|}<T> : WebServiceSpec<F>
        {
            [Endpoint] public int Value() => Artifacts.Out;
        }
        """);

    [Test]
    public Task FLOW042_Accepts_partial_service_at_namespace_level() => VerifyAsync("""
        namespace App
        {
            public partial class S : WebServiceSpec<F>
            {
                [Endpoint] public int Value() => Artifacts.Out;
            }
        }
        """);

    [Test]
    public Task FLOW042_Accepts_a_constructor_whose_parameters_are_all_optional() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            private readonly int _scale;
            public S(int scale = 2) => _scale = scale;
            [Endpoint] public int Value() => Artifacts.Out * _scale;
        }
        """);

    [Test]
    public Task FLOW042_Reports_service_whose_constructors_new_cannot_choose_between() => VerifyAsync("""
        public partial class {|FLOW042:S|} : WebServiceSpec<F>
        {
            private readonly int _scale;
            public S(int scale = 2) => _scale = scale;
            public S(string label = "x") => _scale = label.Length;
            [Endpoint] public int Value() => Artifacts.Out * _scale;
        }
        """);

    [Test]
    public Task FLOW042_Reports_service_with_required_members_that_its_constructor_does_not_set() => VerifyAsync("""
        public partial class {|FLOW042:S|} : WebServiceSpec<F>
        {
            public required int Scale { get; init; }
            public required string Label;
            [Endpoint] public int Value() => Artifacts.Out * Scale;
        }
        """);

    [Test]
    public Task FLOW042_Reports_service_whose_base_class_has_a_required_member() => VerifyAsync("""
        public abstract class Scaled : WebServiceSpec<F>
        {
            public required int Scale { get; init; }
        }

        public partial class {|FLOW042:S|} : Scaled
        {
            public S() { }
            [Endpoint] public int Value() => Artifacts.Out * Scale;
        }
        """);

    [Test]
    public Task FLOW042_Accepts_required_members_set_by_a_SetsRequiredMembers_constructor() => VerifyAsync("""
        public abstract class Scaled : WebServiceSpec<F>
        {
            public required int Scale { get; init; }
        }

        public partial class S : Scaled
        {
            [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
            public S() { Scale = 2; Label = "x"; }
            public required string Label { get; init; }
            [Endpoint] public int Value() => Artifacts.Out * Scale;
        }
        """);

    [Test]
    public async Task FLOW042_Names_the_required_members_that_new_cannot_set()
    {
        var errors = await ErrorsAsync("""
            public abstract class Scaled : WebServiceSpec<F>
            {
                public required int Scale { get; init; }
            }

            public partial class S : Scaled
            {
                public required string Label;
                [Endpoint] public int Value() => Artifacts.Out * Scale;
            }
            """);
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW042" }));
        Assert.That(
            errors[0].GetMessage(),
            Is.EqualTo("Service class S must be creatable with new S(), which leaves required members Label and Scale unset: set them in a parameterless constructor marked [SetsRequiredMembers], or remove 'required'"));
    }

    [Test]
    public Task FLOW042_Accepts_service_without_endpoints_that_provides_its_own_definition() => VerifyAsync("""
        public sealed class S : WebServiceSpec<F>
        {
            public int Value() => Artifacts.Out;
        }
        """);

    [Test]
    public async Task FLOW042_Says_what_is_wrong_with_the_class()
    {
        var errors = await ErrorsAsync("""
            public static class Outer
            {
                public class S<T> : WebServiceSpec<F>
                {
                    [Endpoint] public int Value() => Artifacts.Out;
                }
            }
            """);
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW042" }));
        Assert.That(
            errors[0].GetMessage(),
            Is.EqualTo("Service class S must be declared 'partial' so that Flow can generate its routes, declared at namespace level, not nested in another type and non-generic"));
    }

    [Test]
    public Task FLOW043_Reports_endpoints_that_are_static_private_or_generic() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public static int {|FLOW043:A|}() => 1;
            [Endpoint] private int {|FLOW043:B|}() => Artifacts.Out;
            [Endpoint] public T {|FLOW043:C|}<T>() => default!;
        }
        """);

    [Test]
    public Task FLOW043_Accepts_public_instance_endpoints() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public int A() => Artifacts.Out;
            [Endpoint] public virtual int B() => Artifacts.Out + 1;
        }
        """);

    [Test]
    public Task FLOW044_Reports_ref_out_in_and_params_parameters() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public int A(ref int {|FLOW044:x|}) => x;
            [Endpoint] public void B(out int {|FLOW044:y|}) { y = 1; }
            [Endpoint] public int C(in int {|FLOW044:z|}) => z;
            [Endpoint] public int D(params int[] {|FLOW044:values|}) => values.Length;
        }
        """);

    [Test]
    public Task FLOW044_Accepts_parameters_passed_by_value() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public int A(int x, int[] values) => x + values.Length;
        }
        """);

    [Test]
    public Task FLOW045_Reports_two_complex_parameters() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public int {|FLOW045:WhatIf|}(Scenario scenario, Other other) => scenario.Size + other.Name.Length;
        }
        """);

    [Test]
    public Task FLOW045_Accepts_one_complex_parameter_beside_simple_ones() => VerifyAsync("""
        public enum Mode { Fast, Slow }

        public partial class S : WebServiceSpec<F>
        {
            [Endpoint]
            public int WhatIf(Scenario scenario, int count, string? name, Mode mode, DateOnly day, TimeSpan? wait, Guid[] ids, Uri? link, decimal rate, CancellationToken cancellationToken) =>
                scenario.Size + count;
        }
        """);

    [Test]
    public Task FLOW046_Reports_types_that_cannot_be_sent_as_json() => VerifyAsync("""
        public interface IScenario { int Size { get; } }

        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public int Call(Func<int> {|FLOW046:f|}) => f();
            [Endpoint] public long Upload(Stream {|FLOW046:body|}) => body.Length;
            [Endpoint] public int Length(Span<int> {|FLOW046:values|}) => values.Length;
            [Endpoint] public int Size(IScenario {|FLOW046:scenario|}) => scenario.Size;
            [Endpoint] public {|FLOW046:Type|} Kind() => typeof(int);
            [Endpoint] public {|FLOW046:Task<IntPtr>|} Handle() => Task.FromResult(IntPtr.Zero);
            [Endpoint] public {|FLOW046:List<Action>|} Actions() => new();
            [Endpoint] public {|FLOW046:(int Low, int High)|} Range() => (1, 2);
        }
        """);

    [Test]
    public Task FLOW046_Accepts_data_void_and_tasks() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public void Reset() { }
            [Endpoint] public Task Refresh() => Task.CompletedTask;
            [Endpoint] public ValueTask Touch() => ValueTask.CompletedTask;
            [Endpoint] public Task<int[]> Top(int count = 3, CancellationToken cancellationToken = default) => Task.FromResult(new[] { Artifacts.Out });
            [Endpoint] public ValueTask<string> Name() => ValueTask.FromResult("f");
            [Endpoint] public IEnumerable<Scenario> All() => new[] { new Scenario(1) };
            [Endpoint] public int Sum(IReadOnlyList<int> values) => values.Sum();
            [Endpoint] public object Show() => new { result = Artifacts.Out };
        }
        """);

    [Test]
    public Task FLOW047_Reports_two_endpoints_with_one_route() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public string GetUrl() => "a";
            [Endpoint] public string {|FLOW047:GetURL|}() => "b";
            [Endpoint] public int Top() => 1;
            [Endpoint] public int {|FLOW047:Top|}(int count) => count;
            [Endpoint] public string {|FLOW047:Healthz|}() => "mine";
        }
        """);

    [Test]
    public Task FLOW050_Reports_a_second_service_over_one_flow() => VerifyAsync("""
        public partial class A : WebServiceSpec<F>
        {
            [Endpoint] public int Ping() => Artifacts.Out;
        }

        public partial class {|FLOW050:B|} : WebServiceSpec<F>
        {
            [Endpoint] public int Pong() => Artifacts.Out;
        }
        """);

    [Test]
    public Task FLOW050_Accepts_services_over_different_flows() => VerifyAsync("""
        public partial class F2 : FlowSpec
        {
            public int Out { get; set; }
            [Step] public void Start() { Out = 2; Next(End); }
            [Step] public void End() { }
        }

        public partial class A : WebServiceSpec<F>
        {
            [Endpoint] public int Ping() => Artifacts.Out;
        }

        public partial class B : WebServiceSpec<F2>
        {
            [Endpoint] public int Pong() => Artifacts.Out;
        }
        """);

    [Test]
    public Task FLOW047_Accepts_endpoints_with_distinct_routes() => VerifyAsync("""
        public partial class S : WebServiceSpec<F>
        {
            [Endpoint] public string GetUrl() => "a";
            [Endpoint] public string GetUrlFor(string name) => name;
            [Endpoint] public int Top3() => 3;
        }
        """);

    private const string ConditionalFlow = """
        public partial class G : FlowSpec
        {
            [Parameter] public bool Big { get; set; }
            public int Model { get; set; }
            public int Never { get; set; }
            public string Label { get; set; } = "";
            public int Score { get; set; }
            public int Doubled => Score * 2;
            [Step] public void Start() { Score = 1; if (Big) { Next(Train); } else { Next(End); } }
            [Step] public void Train() { Model = 1; Next(End); }
            [Step] public void End() { }
        }

        """;

    [Test]
    public Task FLOW048_Reports_reads_of_artifacts_not_set_on_every_path_to_the_end() => AnalyzerVerifier.VerifyAsync(ConditionalFlow + """
        public partial class S : WebServiceSpec<G>
        {
            [Endpoint] public int Model() => {|FLOW048:Artifacts.Model|};
            [Endpoint] public System.Threading.Tasks.Task<int> Never() => System.Threading.Tasks.Task.FromResult({|FLOW048:Artifacts.Never|});
        }
        """);

    [Test]
    public Task FLOW048_Accepts_reads_of_parameters_initialized_artifacts_and_artifacts_set_on_every_path() => AnalyzerVerifier.VerifyAsync(ConditionalFlow + """
        public partial class S : WebServiceSpec<G>
        {
            [Endpoint] public object Show() => new { big = Artifacts.Big, label = Artifacts.Label, score = Artifacts.Score, doubled = Artifacts.Doubled };
        }
        """);

    [Test]
    public async Task FLOW048_Says_which_artifact_and_what_to_do()
    {
        var errors = await ErrorsAsync(ConditionalFlow + """
            public partial class S : WebServiceSpec<G>
            {
                [Endpoint] public int Model() => Artifacts.Model;
            }
            """);
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW048" }));
        Assert.That(errors[0].GetMessage(), Does.StartWith("Service S reads Artifacts.Model, but Model is not set on every path to the end step of G"));
    }

    [Test]
    public async Task A_flow_with_errors_gets_no_follow_on_error_from_its_service()
    {
        var errors = await ErrorsAsync("""
            public class G : FlowSpec
            {
                public int Model { get; set; }
                [Step] public void Start() { Model = 1; Next(End); }
                [Step] public void End() { }
            }

            public partial class S : WebServiceSpec<G>
            {
                [Endpoint] public int Model() => Artifacts.Model;
            }
            """);
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW035" }), "the flow's error, no FLOW048 and no compiler error about the service's missing definition");
    }

    /// <summary>The errors of the source with its generated code, the analyzer's among them.</summary>
    private static async Task<IReadOnlyList<Diagnostic>> ErrorsAsync(string source)
    {
        var (_, output) = GeneratorHarness.Generate(GeneratorHarness.Compile("using Flow;\n\n" + Usings + Flow + source));
        return await GeneratorHarness.ErrorsAsync(output);
    }
}
