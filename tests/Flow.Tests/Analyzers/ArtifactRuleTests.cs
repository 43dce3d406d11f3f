using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Analyzers;

/// <summary>The rules about artifacts and parameters: types, foreach sources, reads before writes, writes to parameters.</summary>
public class ArtifactRuleTests
{
    [Test]
    public Task FLOW029_Reports_foreach_over_a_name_that_is_not_an_artifact() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            private readonly List<string> _items = ["a"];
            [Step, {|FLOW029:Foreach("Items")|}] public void Start() { Next(Each); }
            [Step] public void Each(string item) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { Console.WriteLine(_items.Count); }
        }
        """);

    [Test]
    public Task FLOW029_Reports_foreach_over_an_artifact_that_is_not_enumerable() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Count { get; set; }
            [Step, {|FLOW029:Foreach(nameof(Count))|}] public void Start() { Count = 3; Next(Each); }
            [Step] public void Each(int item) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW029_Accepts_foreach_over_an_enumerable_artifact() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public IReadOnlyList<int> Counts { get; set; } = [];
            [Step, Foreach(nameof(Counts))] public void Start() { Counts = [1, 2, 3]; Next(Each); }
            [Step] public void Each(int item) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Reports_artifact_read_before_any_step_sets_it() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { Next(A); }
            [Step] public void A() { Console.WriteLine({|FLOW031:X|}); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Reports_the_foreach_collection_read_inside_the_foreach() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = [];
            public int Seen { get; set; }
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["a", "b"]; Next(Each); }
            [Step] public void Each(string item) { Seen = {|FLOW031:Items|}.Count; Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Seen = inputs.Sum(i => i.Seen); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Reports_artifact_set_on_one_path_only() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { if (DateTime.Now.Second > 30) { X = 1; } Next(A); }
            [Step] public void A() { X = {|FLOW031:X|} + 1; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Reports_artifact_set_on_one_conditional_path() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { if (DateTime.Now.Second > 30) { Next(A); } else { Next(B); } }
            [Step] public void A() { X = 1; Next(C); }
            [Step] public void B() { Next(C); }
            [Step] public void C() { Console.WriteLine({|FLOW031:this.X|}); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Reports_artifact_read_after_a_join_without_merge() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { X = 1; Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Console.WriteLine({|FLOW031:X|}); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Reports_compound_assignment_of_an_unset_artifact() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { {|FLOW031:X|} += 1; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Accepts_artifacts_set_on_every_path() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Parameter] public int Seed { get; set; }
            public int X { get; set; }
            public int Y { get; set; }
            public StepError? Error { get; set; }
            [Step] public void Start() { X = Seed; if (DateTime.Now.Second > 30) { Y = 1; } else { Y = 2; } Next(A, B); }
            [Step] public void A() { X += Y; Next(Join); }
            [Step, Catch(nameof(Error))] public void B() { X = 2; Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { MergeArtifacts(inputs, nameof(X)); X = inputs.Sum(i => i.X); Console.WriteLine(Y + Seed); Next(End); }
            [Step] public void End() { Console.WriteLine(X + Y); Console.WriteLine(Error?.Message); }
        }
        """);

    [Test]
    public Task FLOW031_Accepts_artifact_set_before_it_is_read_in_the_same_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<int> Values { get; set; } = new();
            [Step] public void Start() { Values = []; Values.Add(1); (Values, var n) = (Values, 2); Console.WriteLine(n); Next(End); }
            [Step] public void End() { Console.WriteLine(Values.Count); }
        }
        """);

    [Test]
    public Task FLOW031_Accepts_artifacts_set_by_conditional_and_initializer_expressions() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            public Dictionary<string, int> Counts { get; set; } = new();
            public string? Label { get; set; }
            public (int, int) Pair { get; set; }
            [Step]
            public void Start()
            {
                X = DateTime.Now.Second > 30 ? 1 : 2;
                Counts = new() { ["a"] = X };
                Label = Environment.GetEnvironmentVariable("LABEL");
                Label ??= DateTime.Now.Second > 30 ? "late" : "early";
                (Pair, var n) = (DateTime.Now.Second > 30 ? (1, 2) : (3, 4), 5);
                Console.WriteLine(n);
                Next(End);
            }
            [Step] public void End() { Console.WriteLine($"{X} {Counts.Count} {Label} {Pair}"); }
        }
        """);

    [Test]
    public Task FLOW031_Reports_coalescing_assignment_of_an_unset_artifact() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public string? Label { get; set; }
            [Step] public void Start() { {|FLOW031:Label|} ??= DateTime.Now.Second > 30 ? "late" : "early"; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Accepts_artifact_with_an_initializer_read_before_any_step_sets_it() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Log { get; set; } = new();
            public int Limit { get; set; } = 10;
            [Step] public void Start() { Log.Add("start"); Next(A); }
            [Step] public void A() { Log.Add($"limit {Limit}"); Next(End); }
            [Step] public void End() { Console.WriteLine(Log.Count); }
        }
        """);

    [Test]
    public Task FLOW031_Reports_artifact_with_an_initializer_read_in_a_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Log { get; set; } = new();
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Log = ["a"]; Next(Join); }
            [Step] public void B() { Log = ["b"]; Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Console.WriteLine({|FLOW031:Log|}.Count); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Accepts_artifact_read_in_a_join_after_merging() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Seed { get; set; }
            [Step] public void Start() { Seed = 7; Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { MergeArtifacts(inputs); Console.WriteLine(Seed); Next(End); }
            [Step] public void End() { Console.WriteLine(Seed); }
        }
        """);

    [Test]
    public Task FLOW031_Reports_artifact_read_in_a_join_before_merging_or_excluded_from_it() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Seed { get; set; }
            public int Total { get; set; }
            [Step] public void Start() { Seed = 7; Total = 0; Next(A, B); }
            [Step] public void A() { Total = 1; Next(Join); }
            [Step] public void B() { Total = 2; Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Console.WriteLine({|FLOW031:Seed|}); MergeArtifacts(inputs, nameof(Total)); Console.WriteLine(Seed + {|FLOW031:Total|}); Next(End); }
            [Step] public void End() { Console.WriteLine({|FLOW031:Total|}); }
        }
        """);

    [Test]
    public Task FLOW031_Reports_artifact_a_loop_reads_before_it_sets_it_on_its_first_iteration() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Count { get; set; }
            [Step] public void Start() { Next(Loop); }
            [Step] public void Loop() { {|FLOW031:Count|} += 1; if (Count < 3) { Next(Loop); } else { Next(End); } }
            [Step] public void End() { Console.WriteLine(Count); }
        }
        """);

    [Test]
    public Task FLOW031_Reports_artifact_a_loop_sets_only_after_reading_it() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Count { get; set; }
            public int Last { get; set; }
            [Step] public void Start() { Count = 0; Next(Loop); }
            [Step] public void Loop() { Console.WriteLine({|FLOW031:Last|}); Last = Count; Count += 1; if (Count < 3) { Next(Loop); } else { Next(End); } }
            [Step] public void End() { Console.WriteLine(Last); }
        }
        """);

    [Test]
    public Task FLOW031_Reports_artifact_of_a_loop_set_only_in_the_other_branch() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Count { get; set; }
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Loop); }
            [Step] public void Loop() { {|FLOW031:Count|}++; if (Count < 3) { Next(Loop); } else { Next(Join); } }
            [Step] public void B() { Count = 0; Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Count = inputs.Max(i => i.Count); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Accepts_artifact_a_loop_reads_when_set_before_the_loop() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Count { get; set; }
            [Step] public void Start() { Count = 0; Next(Loop); }
            [Step] public void Loop() { Count += 1; if (Count < 3) { Next(Loop); } else { Next(End); } }
            [Step] public void End() { Console.WriteLine(Count); }
        }
        """);

    [Test]
    public Task FLOW031_Accepts_artifact_a_loop_reads_when_it_has_an_initializer() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Count { get; set; } = 0;
            public List<int> Seen { get; set; } = [];
            [Step] public void Start() { Next(Loop); }
            [Step] public void Loop() { Count += 1; Seen.Add(Count); if (Count < 3) { Next(Loop); } else { Next(End); } }
            [Step] public void End() { Console.WriteLine(Seen.Count); }
        }
        """);

    [Test]
    public Task FLOW031_Accepts_artifact_the_loop_sets_read_after_the_loop() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Count { get; set; }
            public int Total { get; set; }
            [Step] public void Start() { Count = 0; Next(Loop); }
            [Step] public void Loop() { Count += 1; Total = Count * 10; if (Count < 3) { Next(Loop); } else { Next(After); } }
            [Step] public void After() { Console.WriteLine(Total); Next(End); }
            [Step] public void End() { Console.WriteLine(Total + Count); }
        }
        """);

    [Test]
    public Task FLOW031_Accepts_artifact_a_loop_in_a_foreach_sets_before_reading() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<int> Items { get; set; } = [];
            public int Steps { get; set; }
            [Step, Foreach(nameof(Items))] public void Start() { Items = [1, 2, 3]; Steps = 0; Next(Work); }
            [Step] public void Work(int item) { Steps += 1; if (Steps < item) { Next(Work); } else { Next(Join); } }
            [Step] public void Join(JoinInputs<F> inputs) { MergeArtifacts(inputs, nameof(Steps)); Steps = inputs.Sum(i => i.Steps); Next(End); }
            [Step] public void End() { Console.WriteLine(Steps); }
        }
        """);

    [Test]
    public Task FLOW032_Reports_artifact_of_type_object() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public object? {|FLOW032:Data|} { get; set; }
            [Step] public void Start() { Data = 1; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW032_Reports_artifact_of_a_delegate_or_interface_type() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public Action? {|FLOW032:Callback|} { get; set; }
            public IDisposable? {|FLOW032:Resource|} { get; set; }
            public List<Func<int>> {|FLOW032:Makers|} { get; set; } = new();
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW032_Reports_class_with_a_member_that_cannot_be_stored() => AnalyzerVerifier.VerifyAsync("""
        public class Report
        {
            public string Title { get; set; } = "";
            public System.IO.Stream? Body { get; set; }
        }

        public partial class F : FlowSpec
        {
            public Report {|FLOW032:Result|} { get; set; } = new();
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW032_Accepts_data_types() => AnalyzerVerifier.VerifyAsync("""
        public enum Color { Red, Green }

        public class Node
        {
            public string Name { get; set; } = "";
            public List<Node> Children { get; set; } = new();
        }

        public record Point(int X, int Y);

        public partial class F : FlowSpec
        {
            public int Count { get; set; }
            public string Name { get; set; } = "";
            public Color Color { get; set; }
            public DateTimeOffset When { get; set; }
            public Dictionary<string, List<double>> Series { get; set; } = new();
            public (int, string) Pair { get; set; }
            public Node Tree { get; set; } = new();
            public Point[] Points { get; set; } = [];
            public StepError? Error { get; set; }
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW033_Reports_parameter_assigned_in_a_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Parameter] public int Count { get; set; }
            [Step] public void Start() { {|FLOW033:Count|} = 5; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW033_Reports_parameter_incremented_in_a_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Parameter(Name = "max-count")] public int Count { get; set; }
            [Step] public void Start() { {|FLOW033:Count|}++; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW033_Accepts_parameter_used_as_an_index_in_a_tuple_assignment() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Parameter] public int Seed { get; set; }
            public int[] L { get; set; } = new int[4];
            public int Y { get; set; }
            [Step] public void Start() { (L[Seed], Y) = (1, 2); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW031_Reports_artifact_used_as_an_index_in_a_tuple_assignment_before_it_is_set() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int[] L { get; set; } = new int[4];
            public int K { get; set; }
            public int Y { get; set; }
            [Step] public void Start() { (L[{|FLOW031:K|}], Y) = (1, 2); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW033_Accepts_parameter_read_in_a_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Parameter] public int Count { get; set; }
            public int Total { get; set; }
            [Step] public void Start() { Total = Count * 2; Next(End); }
            [Step] public void End() { Console.WriteLine(Total + Count); }
        }
        """);

    [Test]
    public Task FLOW038_Reports_parameter_without_a_setter() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Parameter] public int {|FLOW038:Count|} { get; }
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW038_Reports_parameter_of_a_type_the_command_line_cannot_give() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Parameter] public List<int> {|FLOW038:Counts|} { get; set; } = new();
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW038_Reports_parameter_that_is_not_public() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Parameter] internal int {|FLOW038:Count|} { get; set; }
            [Parameter] public static int {|FLOW038:Limit|} { get; set; }
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW038_Accepts_parameters_the_command_line_can_give() => AnalyzerVerifier.VerifyAsync("""
        public enum Mode { Fast, Careful }

        public partial class F : FlowSpec
        {
            [Parameter(Help = "How many")] public int Count { get; set; }
            [Parameter(Required = true)] public string Name { get; set; } = "";
            [Parameter] public Mode Mode { get; set; }
            [Parameter] public TimeSpan? Wait { get; set; }
            [Parameter] public Guid Id { get; set; }
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);
}
