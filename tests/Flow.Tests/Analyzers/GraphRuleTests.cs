using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Analyzers;

/// <summary>The rules about the shape of the graph: start and end, transitions, cycles, reachability, splits and joins.</summary>
public class GraphRuleTests
{
    [Test]
    public Task FLOW002_Reports_flow_without_start() => AnalyzerVerifier.VerifyAsync("""
        public partial class {|FLOW002:F|} : FlowSpec
        {
            [Step] public void Begin() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW002_Accepts_flow_with_start() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW003_Reports_flow_without_end() => AnalyzerVerifier.VerifyAsync("""
        public partial class {|FLOW003:F|} : FlowSpec
        {
            [Step] public void Start() { Next(Finish); }
            [Step] public void Finish() { throw new NotImplementedException(); }
        }
        """);

    [Test]
    public Task FLOW003_Accepts_step_that_only_throws_before_end() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { if (DateTime.Now.Year > 2000) { Next(End); } else { throw new InvalidOperationException("clock"); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW005_Reports_transition_to_start() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(A); }
            [Step] public void A() { Round++; if (Round < 3) { Next({|FLOW005:Start|}); } else { Next(End); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW005_Reports_start_that_goes_back_to_itself() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round++; if (Round < 3) { Next({|FLOW005:Start|}); } else { Next(End); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW005_Accepts_start_that_only_goes_forward() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(A); }
            [Step] public void A() { Round++; Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW006_Reports_next_in_end() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A() { Next(End); }
            [Step] public void End() { {|FLOW006:Next(A)|}; }
        }
        """);

    [Test]
    public Task FLOW006_Accepts_end_without_next() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A() { Next(End); }
            [Step] public void End() { Console.WriteLine("done"); }
        }
        """);

    [Test]
    public Task FLOW007_Reports_end_that_is_a_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(End); }
            [Step] public void B() { Next(End); }
            [Step] public void {|FLOW007:End|}(JoinInputs<F> inputs) { }
        }
        """);

    [Test]
    public Task FLOW007_Accepts_join_before_end() => AnalyzerVerifier.VerifyAsync("""
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
    public Task FLOW010_Reports_join_that_splits() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void {|FLOW010:Join|}(JoinInputs<F> inputs) { Next(C, D); }
            [Step] public void C() { Next(Join2); }
            [Step] public void D() { Next(Join2); }
            [Step] public void Join2(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW010_Accepts_split_in_the_step_after_a_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(Fan); }
            [Step] public void Fan() { Next(C, D); }
            [Step] public void C() { Next(Join2); }
            [Step] public void D() { Next(Join2); }
            [Step] public void Join2(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW013_Reports_next_to_a_method_that_is_not_a_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { if (DateTime.Now.Second > 30) { Next({|FLOW013:Helper|}); } else { Next(End); } }
            public void Helper() { }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW013_Reports_next_to_a_lambda_and_to_another_instance() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            private static readonly F Other = new();
            [Step]
            public void Start()
            {
                switch (DateTime.Now.Second % 3)
                {
                    case 0: Next({|FLOW013:() => End()|}); break;
                    case 1: Next({|FLOW013:Other.End|}); break;
                    default: Next(End); break;
                }
            }

            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW013_Accepts_method_groups_of_steps() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(this.A); }
            [Step] public void A() { Next((End)); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW014_Reports_foreach_with_two_targets() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, {|FLOW014:Foreach(nameof(Items))|}] public void Start() { Items = ["a", "b"]; Next(A, B); }
            [Step] public void A(string item) { Next(Join); }
            [Step] public void B(string item) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW014_Reports_foreach_with_a_conditional_target() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step]
            [{|FLOW014:Foreach(nameof(Items))|}]
            public void Start() { Items = ["a", "b"]; if (Items.Count > 1) { Next(A); } else { Next(B); } }
            [Step] public void A(string item) { Next(Join); }
            [Step] public void B(string item) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW014_Accepts_foreach_with_one_target() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["a", "b"]; Next(A); }
            [Step] public void A(string item) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW015_Reports_next_without_targets() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { if (DateTime.Now.Second > 30) { Next(End); } else { {|FLOW015:Next()|}; } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW015_Accepts_next_with_a_target_on_each_path() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { if (DateTime.Now.Second > 30) { Next(End); } else { Next(A); } }
            [Step] public void A() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW016_Reports_cycle() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(A); }
            [Step] public void A() { Round++; Next(B); }
            [Step] public void B() { if (Round < 3) { Next({|FLOW016:A|}); } else { Next(End); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW016_Accepts_repeated_work_in_a_foreach() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int[] Rounds { get; set; } = [];
            [Step, Foreach(nameof(Rounds))] public void Start() { Rounds = [1, 2, 3]; Next(A); }
            [Step] public void A(int round) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW016_Accepts_a_loop() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(Train); }
            [Step] public void Train() { Round++; if (Round < 3) { Next(Train); } else { Next(End); } }
            [Step] public void End() { Console.WriteLine(Round); }
        }
        """);

    [Test]
    public Task FLOW016_Accepts_a_loop_in_a_branch_straight_into_the_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Height { get; set; }
            [Step] public void Start() { Height = 0; Next(Climb, Flat); }
            [Step] public void Climb() { Height += 10; if (Height < 30) { Next(Climb); } else { Next(Join); } }
            [Step] public void Flat() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Height = inputs.Max(i => i.Height); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW016_Accepts_a_loop_that_takes_the_foreach_item() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<int> Items { get; set; } = [];
            public int Steps { get; set; }
            [Step, Foreach(nameof(Items))] public void Start() { Items = [1, 2, 3]; Steps = 0; Next(Work); }
            [Step] public void Work(int item) { Steps += 1; if (Steps < item) { Next(Work); } else { Next(Join); } }
            [Step] public void Join(JoinInputs<F> inputs) { Steps = inputs.Sum(i => i.Steps); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW016_Accepts_a_loop_with_several_ways_out() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(Train); }
            [Step]
            public void Train()
            {
                Round++;
                if (Round < 3) { Next(Train); }
                else if (Round % 2 == 0) { Next(Even); }
                else { Next(Odd); }
            }

            [Step] public void Even() { Next(End); }
            [Step] public void Odd() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW016_Reports_a_linear_step_that_goes_to_itself() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { if (DateTime.Now.Second > 30) { Next(A); } else { Next(End); } }
            [Step] public void A() { Next({|FLOW016:A|}); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW016_Reports_a_step_that_goes_to_itself_on_every_path() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { if (DateTime.Now.Second > 30) { Next(A); } else { Next(End); } }
            [Step] public void A() { if (DateTime.Now.Second > 30) { Next({|FLOW016:A|}); } else { Next(A); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW016_Reports_a_split_that_names_itself() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A() { Next({|FLOW016:A|}, B); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW016_Reports_a_join_that_goes_back_to_itself() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { if (inputs.Count() > 1) { Next({|FLOW016:Join|}); } else { Next(End); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW016_Reports_a_cycle_through_a_loop() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(A); }
            [Step] public void A() { Round++; if (Round % 2 == 0) { Next(A); } else { Next(B); } }
            [Step] public void B() { if (Round < 5) { Next({|FLOW016:A|}); } else { Next(End); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW017_Reports_unreachable_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void {|FLOW017:Orphan|}() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW017_Reports_every_step_of_an_unreachable_chain() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void {|FLOW017:A|}() { Next(B); }
            [Step] public void {|FLOW017:B|}() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW017_Accepts_step_reached_from_start() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(Orphan); }
            [Step] public void Orphan() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW018_Reports_join_without_split() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(Join); }
            [Step] public void {|FLOW018:Join|}(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW018_Reports_start_that_is_a_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void {|FLOW018:Start|}(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW018_Accepts_join_after_split() => AnalyzerVerifier.VerifyAsync("""
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
    public Task FLOW019_Reports_join_of_inner_and_outer_branches() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(A1, A2); }
            [Step] public void A1() { Next(Join); }
            [Step] public void A2() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void {|FLOW019:Join|}(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW019_Reports_join_of_two_sibling_splits() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(A1, A2); }
            [Step] public void B() { Next(B1, B2); }
            [Step] public void A1() { Next(Join); }
            [Step] public void A2() { Next(Join); }
            [Step] public void B1() { Next(Join); }
            [Step] public void B2() { Next(Join); }
            [Step] public void {|FLOW019:Join|}(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW019_Accepts_nested_split_closed_inside_out() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(A1, A2); }
            [Step] public void A1() { Next(JoinA); }
            [Step] public void A2() { Next(JoinA); }
            [Step] public void JoinA(JoinInputs<F> inputs) { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW020_Reports_end_inside_a_foreach() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["a", "b"]; Next(Each); }
            [Step] public void Each(string item) { Next(End); }
            [Step] public void {|FLOW020:End|}() { }
        }
        """);

    [Test]
    public Task FLOW020_Accepts_foreach_joined_before_end() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["a", "b"]; Next(Each); }
            [Step] public void Each(string item) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW021_Reports_branches_merging_in_a_plain_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(C); }
            [Step] public void B() { Next(C); }
            [Step] public void {|FLOW021:C|}() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW021_Reports_branches_merging_in_end() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(End); }
            [Step] public void B() { Next(End); }
            [Step] public void {|FLOW021:End|}() { }
        }
        """);

    [Test]
    public Task FLOW021_Accepts_conditional_paths_merging_in_a_plain_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { if (DateTime.Now.Second > 30) { Next(A); } else { Next(B); } }
            [Step] public void A() { Next(C); }
            [Step] public void B() { Next(C); }
            [Step] public void C() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW021_Accepts_a_loop_in_one_branch_of_a_split() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(A, B); }
            [Step] public void A() { Next(Loop); }
            [Step] public void Loop() { Round++; if (Round < 3) { Next(Loop); } else { Next(After); } }
            [Step] public void After() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Round = inputs.Max(i => i.Round); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW021_Accepts_a_loop_after_conditional_paths_merge() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; if (DateTime.Now.Second > 30) { Next(A); } else { Next(B); } }
            [Step] public void A() { Next(Loop); }
            [Step] public void B() { Next(Loop); }
            [Step] public void Loop() { Round++; if (Round < 3) { Next(Loop); } else { Next(End); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW021_Reports_branches_merging_in_a_loop() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(A, B); }
            [Step] public void A() { Next(Loop); }
            [Step] public void B() { Next(Loop); }
            [Step] public void {|FLOW021:Loop|}() { Round++; if (Round < 3) { Next(Loop); } else { Next(End); } }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW022_Reports_join_that_misses_a_branch() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B, C); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void C() { throw new NotImplementedException(); }
            [Step] public void {|FLOW022:Join|}(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW022_Reports_branch_that_skips_the_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(End); }
            [Step] public void {|FLOW022:Join|}(JoinInputs<F> inputs) { Next(End); }
            [Step] public void {|FLOW021:End|}() { }
        }
        """);

    [Test]
    public Task FLOW022_Accepts_join_of_every_branch() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B, C); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void C() { Next(C2); }
            [Step] public void C2() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW023_Reports_split_closed_by_two_joins() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(JoinA); }
            [Step] public void B() { Next(JoinB); }
            [Step] public void JoinA(JoinInputs<F> inputs) { Next(End); }
            [Step] public void {|FLOW023:JoinB|}(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW023_Accepts_split_closed_by_one_join() => AnalyzerVerifier.VerifyAsync("""
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
    public Task FLOW024_Reports_foreach_straight_into_its_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["a", "b"]; Next({|FLOW024:Join|}); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW024_Accepts_foreach_with_a_step_before_its_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["a", "b"]; Next(Each); }
            [Step] public void Each(string item) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW025_Reports_conditional_straight_into_a_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { if (DateTime.Now.Second > 30) { Next({|FLOW025:Join|}); } else { Next(Slow); } }
            [Step] public void Slow() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW025_Accepts_conditional_routed_through_steps_before_the_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { if (DateTime.Now.Second > 30) { Next(Fast); } else { Next(Slow); } }
            [Step] public void Fast() { Next(Join); }
            [Step] public void Slow() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW025_Accepts_a_loop_whose_only_way_out_is_the_join() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(A, B); }
            [Step] public void A() { Round++; if (Round < 3) { Next(A); } else { Next(Join); } }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Round = inputs.A().Round; Next(End); }
            [Step] public void End() { }
        }

        public static class FBranches
        {
            [JoinBranch("A")] public static F A(this JoinInputs<F> inputs) => inputs.FromStep("A");
            [JoinBranch("B")] public static F B(this JoinInputs<F> inputs) => inputs.FromStep("B");
        }
        """);

    [Test]
    public Task FLOW025_Reports_a_loop_that_chooses_between_the_join_and_another_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(A, B); }
            [Step]
            public void A()
            {
                Round++;
                if (Round < 3) { Next(A); }
                else if (Round % 2 == 0) { Next({|FLOW025:Join|}); }
                else { Next(Slow); }
            }

            [Step] public void Slow() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    private const string Branches = """

        public static class FBranches
        {
            [JoinBranch("A")] public static F A(this JoinInputs<F> inputs) => inputs.FromStep("A");
            [JoinBranch("B")] public static F B(this JoinInputs<F> inputs) => inputs.FromStep("B");
            [JoinBranch("C")] public static F C(this JoinInputs<F> inputs) => inputs.FromStep("C");
        }
        """;

    [Test]
    public Task FLOW034_Reports_join_reading_a_branch_it_does_not_have() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { var c = {|FLOW034:inputs.C()|}; Next(C); }
            [Step] public void C() { Next(End); }
            [Step] public void End() { }
        }
        """ + Branches);

    [Test]
    public Task FLOW034_Reports_branch_read_in_a_flow_with_artifacts() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { X = 1; Next(A, B); }
            [Step] public void A() { X = 2; Next(Join); }
            [Step] public void B() { X = 3; Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { X = inputs.A().X + {|FLOW034:inputs.C()|}.X; Next(C); }
            [Step] public void C() { Next(End); }
            [Step] public void End() { }
        }
        """ + Branches);

    [Test]
    public Task FLOW034_Accepts_join_reading_its_own_branches() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { X = 1; Next(A, B); }
            [Step] public void A() { X = 2; Next(Join); }
            [Step] public void B() { X = 3; Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { X = inputs.A().X + inputs.B().X; Next(C); }
            [Step] public void C() { Next(End); }
            [Step] public void End() { }
        }
        """ + Branches);

    [Test]
    public Task FLOW039_Reports_fan_out_inside_a_conditional() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { if (DateTime.Now.Second > 30) { {|FLOW039:Next(A, B)|}; } else { Next(End); } }
            [Step] public void A() { Next(End); }
            [Step] public void B() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW039_Accepts_fan_out_in_the_chosen_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { if (DateTime.Now.Second > 30) { Next(Fan); } else { Next(End); } }
            [Step] public void Fan() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);
}
