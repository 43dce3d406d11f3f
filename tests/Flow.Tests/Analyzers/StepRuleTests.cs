using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Analyzers;

/// <summary>The rules about steps and the flow class: names, signatures, Next on every path, where attributes and Next may appear.</summary>
public class StepRuleTests
{
    [Test]
    public Task FLOW001_Reports_step_with_a_reserved_name() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(Definition); }
            [Step] public void {|FLOW001:Definition|}() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW001_Reports_artifact_with_a_reserved_name() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int {|FLOW001:Inputs|} { get; set; }
            [Step] public void Start() { Inputs = 1; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW001_Reports_artifact_hiding_a_member_of_FlowSpec() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public new int {|FLOW001:Index|} { get; set; }
            [Step] public void Start() { Index = 1; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW001_Accepts_names_that_are_not_reserved() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int InputCount { get; set; }
            [Step] public void Start() { InputCount = 1; Next(Define); }
            [Step] public void Define() { Next(End); }
            [Step] public void End() { Console.WriteLine(Index); }
        }
        """);

    [Test]
    public Task FLOW004_Reports_overloaded_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void {|FLOW004:Start|}() { Next(End); }
            [Step] public void {|FLOW004:Start|}(int retries) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW004_Reports_step_overloaded_by_a_plain_method() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void {|FLOW004:Start|}() { Next(End); }
            public void Start(int retries) { }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW004_Accepts_helper_with_its_own_name() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { StartWith(3); Next(End); }
            public void StartWith(int retries) { }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW008_Reports_step_that_returns_a_value() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public int {|FLOW008:A|}() { Next(End); return 1; }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW008_Reports_async_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public async void {|FLOW008:A|}() { await System.Threading.Tasks.Task.Yield(); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW008_Reports_generic_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A<int>); }
            [Step] public void {|FLOW008:A|}<T>() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW008_Reports_partial_step_and_reads_its_body_for_the_graph() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(Train); }
            [Step] public partial void {|FLOW008:Train|}();
            public partial void Train() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW008_Reports_partial_step_marked_on_its_implementation() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(Train); }
            public partial void {|FLOW008:Train|}();
            [Step] public partial void Train() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW008_Reports_static_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public static void {|FLOW008:End|}() { }
        }
        """);

    [Test]
    public Task FLOW008_Reports_step_with_two_parameters() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void {|FLOW008:A|}(int x, int y) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW008_Reports_parameter_without_a_foreach() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A(string {|FLOW008:item|}) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW008_Reports_item_taken_by_reference() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["a"]; Next(Each); }
            [Step] public void Each(in string {|FLOW008:item|}) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW008_Accepts_void_instance_steps() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A() { Helper(); Next(End); }
            private static int Helper() => 1;
            [Step] internal void End() { }
        }
        """);

    [Test]
    public Task FLOW009_Reports_join_with_an_extra_parameter() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void {|FLOW009:Join|}(JoinInputs<F> inputs, int extra) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW009_Reports_join_of_another_flow() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void {|FLOW009:Join|}(JoinInputs<G> inputs) { Next(End); }
            [Step] public void End() { }
        }

        public partial class G : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW009_Accepts_join_taking_its_inputs() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW011_Reports_path_without_next() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void {|FLOW011:A|}() { if (DateTime.Now.Second > 30) { Next(End); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW011_Reports_step_without_any_next() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void {|FLOW011:Start|}() { Console.WriteLine("forgot"); }
            [Step] public void {|FLOW017:End|}() { }
        }
        """);

    [Test]
    public Task FLOW011_Reports_early_return() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<int> Values { get; set; } = new();
            [Step] public void Start() { Values = [1, 2]; Next(A); }
            [Step] public void {|FLOW011:A|}() { foreach (var v in Values) { if (v < 0) { return; } } Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW011_Accepts_next_or_throw_on_every_path() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A()
            {
                switch (DateTime.Now.Second % 3)
                {
                    case 0: Next(End); break;
                    case 1: throw new InvalidOperationException("odd");
                    default: Next(End); break;
                }
            }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW011_Accepts_next_after_try_catch() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start()
            {
                try { Console.WriteLine("work"); }
                catch (InvalidOperationException e) { Console.WriteLine(e.Message); }
                finally { Console.WriteLine("cleanup"); }
                Next(End);
            }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW012_Reports_next_called_twice() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); {|FLOW012:Next(End)|}; }
            [Step] public void A() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW012_Reports_next_in_a_loop() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void {|FLOW011:Start|}() { for (var i = 0; i < 2; i++) { {|FLOW012:Next(End)|}; } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW012_Accepts_next_once_on_each_branch() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { if (DateTime.Now.Second > 30) { Next(A); return; } Next(End); }
            [Step] public void A() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW030_Reports_item_of_the_wrong_type() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["a", "b"]; Next(Each); }
            [Step] public void Each(int {|FLOW030:item|}) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW030_Reports_foreach_child_without_an_item() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["a", "b"]; Next(Each); }
            [Step] public void {|FLOW030:Each|}() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW030_Accepts_item_of_the_element_type() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public Dictionary<string, int> Counts { get; set; } = new();
            [Step, Foreach(nameof(Counts))] public void Start() { Counts = new() { ["a"] = 1 }; Next(Each); }
            [Step] public void Each(KeyValuePair<string, int> entry) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW030_Accepts_nullable_item_of_a_non_nullable_element() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public string[] Items { get; set; } = [];
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["a"]; Next(Each); }
            [Step] public void Each(string? item) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW035_Reports_class_that_is_not_partial() => AnalyzerVerifier.VerifyAsync("""
        public class {|FLOW035:F|} : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW035_Reports_flow_with_a_required_member_that_new_leaves_unset() => AnalyzerVerifier.VerifyAsync("""
        public partial class {|FLOW035:F|} : FlowSpec
        {
            public required int Seed { get; set; }
            [Step] public void Start() { Seed = 1; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW035_Accepts_required_members_set_by_a_SetsRequiredMembers_constructor() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
            public F() => Seed = 1;

            public required int Seed { get; set; }
            [Step] public void Start() { Seed = 2; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public async Task FLOW035_Names_the_required_members_and_no_generated_code_fails_to_compile()
    {
        var (_, output) = GeneratorHarness.Generate(GeneratorHarness.Compile("""
            using Flow;

            public abstract class Base : FlowSpec
            {
                public required string Label { get; set; }
            }

            public partial class F : Base
            {
                public required int Seed { get; set; }
                [Step] public void Start() { Seed = 1; Label = "a"; Next(End); }
                [Step] public void End() { }
            }
            """));
        var errors = await GeneratorHarness.ErrorsAsync(output);
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "FLOW035" }), string.Join("\n", errors));
        Assert.That(errors[0].GetMessage(), Does.Contain("new F(), which leaves the required members Seed and Label unset"));
    }

    [Test]
    public Task FLOW035_Reports_nested_flow() => AnalyzerVerifier.VerifyAsync("""
        public static class Outer
        {
            public partial class {|FLOW035:F|} : FlowSpec
            {
                [Step] public void Start() { Next(End); }
                [Step] public void End() { }
            }
        }
        """);

    [Test]
    public Task FLOW035_Reports_generic_flow() => AnalyzerVerifier.VerifyAsync("""
        public partial class {|FLOW035:F|}<T> : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW035_Reports_flow_without_parameterless_constructor() => AnalyzerVerifier.VerifyAsync("""
        public partial class {|FLOW035:F|} : FlowSpec
        {
            public F(int seed) { Seed = seed; }
            public int Seed { get; set; }
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW035_Reports_abstract_flow_with_steps() => AnalyzerVerifier.VerifyAsync("""
        public abstract partial class {|FLOW035:F|} : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW035_Accepts_abstract_base_that_only_holds_artifacts() => AnalyzerVerifier.VerifyAsync("""
        public abstract class Shared : FlowSpec
        {
            public int Total { get; set; }
        }

        public partial class F : Shared
        {
            [Step] public void Start() { Total = 1; Next(End); }
            [Step] public void End() { Console.WriteLine(Total); }
        }
        """);

    [Test]
    public Task FLOW035_Accepts_partial_concrete_flow_with_constructor() => AnalyzerVerifier.VerifyAsync("""
        namespace App
        {
            internal sealed partial class F : FlowSpec
            {
                public F() { Seed = 1; }
                public F(int seed) { Seed = seed; }
                public int Seed { get; set; }
                [Step] public void Start() { Seed = 2; Next(End); }
                [Step] public void End() { }
            }
        }
        """);

    [Test]
    public Task FLOW036_Reports_decorator_on_a_method_that_is_not_a_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Load(); Next(End); }
            [{|FLOW036:Retry(Times = 2)|}] public void Load() { }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW036_Reports_start_without_step_attribute() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public void {|FLOW036:Start|}() { {|FLOW037:Next(End)|}; }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW036_Reports_step_outside_a_flow() => AnalyzerVerifier.VerifyAsync("""
        public class Helper
        {
            [{|FLOW036:Step|}] public void Start() { }
        }
        """);

    [Test]
    public Task FLOW036_Accepts_decorators_on_steps_and_plain_helpers() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Load(); Next(End); }
            [Step, Retry(Times = 2)] public void End() { }
            public void Load() { }
            public static void Begin(string[] args) { }
        }

        public class Helper
        {
            public void Start() { }
        }
        """);

    [Test]
    public Task FLOW037_Reports_next_in_a_lambda() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void {|FLOW011:Start|}() { var retry = () => {|FLOW037:Next(End)|}; if (DateTime.Now.Second > 30) { retry(); } else { Next(End); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW037_Reports_next_in_a_local_function() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Go(); Next(End); void Go() { {|FLOW037:Next(End)|}; } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW037_Reports_next_in_a_helper_method() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void {|FLOW011:Start|}() { if (DateTime.Now.Second > 30) { GoOn(); } else { Next(End); } }
            private void GoOn() { {|FLOW037:Next(End)|}; }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW037_Reports_next_in_a_constructor() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public F() { {|FLOW037:Next(End)|}; }
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW037_Accepts_next_in_the_step_body() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Action log = () => Console.WriteLine("go"); log(); Next(End); }
            [Step] public void End() { }
        }
        """);
}
