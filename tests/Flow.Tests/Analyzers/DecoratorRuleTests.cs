using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Analyzers;

/// <summary>The rules about decorator values: resources, retry, timeout, environment, schedule and catch.</summary>
public class DecoratorRuleTests
{
    [Test]
    public Task FLOW026_Reports_retry_count_out_of_range() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, {|FLOW026:Retry(Times = 20)|}] public void Start() { Next(End); }
            [Step, {|FLOW026:Retry(DelaySeconds = -1)|}] public void End() { }
        }
        """);

    [Test]
    public Task FLOW026_Reports_slurm_values_with_spaces_and_options_flow_sets() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, {|FLOW026:Slurm(Partition = "gpu large")|}] public void Start() { Next(A); }
            [Step, {|FLOW026:Slurm(Account = "")|}] public void A() { Next(B); }
            [Step, {|FLOW026:Slurm(Arguments = new[] { "exclusive" })|}] public void B() { Next(C); }
            [Step, {|FLOW026:Slurm(Arguments = new[] { "--mem=4G" })|}] public void C() { Next(End); }
            [Step, {|FLOW026:Slurm(Arguments = new[] { "--array=0-3" })|}] public void End() { }
        }
        """);

    [Test]
    public Task FLOW026_Reports_cache_files_that_are_empty_or_named_twice() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, {|FLOW026:Cache(Files = new[] { "" })|}] public void Start() { Next(A); }
            [Step, {|FLOW026:Cache(Files = new[] { "data/a.csv", "  " })|}] public void A() { Next(B); }
            [Step, {|FLOW026:Cache(Files = new string[] { null! })|}] public void B() { Next(C); }
            [Step, {|FLOW026:Cache(Files = new[] { "data/a.csv", "data/b.csv", "data/a.csv" })|}] public void C() { Next(End); }
            [Step, Cache(Files = new[] { "data/a.csv", "data/b.csv", "/srv/lookup.csv" }, Version = "2")] public void End() { }
        }
        """);

    [TestCase("Titles")]
    [TestCase("title-models")]
    [TestCase("1titles")]
    [TestCase("")]
    [TestCase("a_project_name_that_is_longer_than_forty_c")]
    public Task FLOW026_Reports_an_invalid_project_name(string name) => AnalyzerVerifier.VerifyAsync($$"""
        [{|FLOW026:Project("{{name}}")|}]
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW026_Accepts_a_project_name() => AnalyzerVerifier.VerifyAsync("""
        [Project("title_models2")]
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW026_Accepts_slurm_settings() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, Slurm] public void Start() { Next(A); }
            [Step, Slurm(Partition = "gpu", Account = "ml", Qos = "high", Constraint = "a100&nvlink", Arguments = new[] { "--exclusive", "--nice=10" })]
            [Resources(Cpu = 16, Gpu = 1, Memory = 64000)]
            public void A() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW026_Reports_negative_resources() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, {|FLOW026:Resources(Cpu = 0)|}] public void Start() { Next(A); }
            [Step, {|FLOW026:Resources(Gpu = -1)|}] public void A() { Next(End); }
            [Step, {|FLOW026:Resources(Memory = -512)|}] public void End() { }
        }
        """);

    [Test]
    public Task FLOW026_Reports_timeout_that_is_not_positive() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, {|FLOW026:Timeout|}] public void Start() { Next(A); }
            [Step, {|FLOW026:Timeout(Seconds = 0, Minutes = 0)|}] public void A() { Next(B); }
            [Step, {|FLOW026:Timeout(Minutes = 5, Seconds = -1)|}] public void B() { Next(End); }
            [Step, {|FLOW026:Timeout(Hours = 1000000)|}] public void End() { }
        }
        """);

    [Test]
    public Task FLOW026_Reports_invalid_environment_variable_name() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, {|FLOW026:Environment("", "x")|}] public void Start() { Next(End); }
            [Step, {|FLOW026:Environment("A=B", "x")|}, Environment("OK", "y")] public void End() { }
        }
        """);

    [Test]
    public Task FLOW026_Reports_schedule_without_exactly_one_time() => AnalyzerVerifier.VerifyAsync("""
        [{|FLOW026:Schedule|}]
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }

        [{|FLOW026:Schedule(Daily = true, Cron = "0 1 * * *")|}]
        public partial class G : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW026_Reports_invalid_cron_expression() => AnalyzerVerifier.VerifyAsync("""
        [{|FLOW026:Schedule(Cron = "61 * * * *")|}]
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }

        [{|FLOW026:Schedule(Cron = "0 0 * *")|}]
        public partial class G : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW026_Accepts_valid_decorator_values() => AnalyzerVerifier.VerifyAsync("""
        [Schedule(Cron = "*/15 0-6,22 1 1-12/2 0")]
        public partial class F : FlowSpec
        {
            [Step, Retry(Times = 0), Resources(Cpu = 2, Gpu = 1, Memory = 1024)] public void Start() { Next(A); }
            [Step, Retry(Times = 10, DelaySeconds = 5), Timeout(Hours = 1, Minutes = 30)] public void A() { Next(End); }
            [Step, Timeout(Seconds = 1), Environment("MODE", "fast"), Environment("EMPTY", "")] public void End() { }
        }

        [Schedule(Weekly = true)]
        public partial class G : FlowSpec
        {
            [Step] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW027_Reports_catch_on_a_foreach_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, Foreach(nameof(Items)), {|FLOW027:Catch|}] public void Start() { Items = ["a"]; Next(Each); }
            [Step] public void Each(string item) { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW027_Reports_catch_on_a_conditional_step() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, {|FLOW027:Catch|}] public void Start() { if (DateTime.Now.Second > 30) { Next(A); } else { Next(End); } }
            [Step] public void A() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW027_Accepts_catch_on_linear_split_and_foreach_child_steps() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public List<string> Items { get; set; } = new();
            [Step, Catch] public void Start() { Items = ["a"]; Next(Fan); }
            [Step, Foreach(nameof(Items))] public void Fan() { Next(Each); }
            [Step, Catch] public void Each(string item) { Next(Join); }
            [Step, Catch] public void Join(JoinInputs<F> inputs) { Next(Split); }
            [Step, Catch] public void Split() { Next(A, B); }
            [Step] public void A() { Next(Join2); }
            [Step] public void B() { Next(Join2); }
            [Step] public void Join2(JoinInputs<F> inputs) { Next(End); }
            [Step, Catch] public void End() { }
        }
        """);

    [Test]
    public Task FLOW027_Accepts_catch_on_a_loop_with_one_way_out() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            public StepError? Error { get; set; }
            [Step] public void Start() { Round = 0; Next(Train); }
            [Step, Catch(nameof(Error))] public void Train() { Round++; if (Round < 3) { Next(Train); } else { Next(End); } }
            [Step] public void End() { Console.WriteLine(Error?.Message); }
        }
        """);

    [Test]
    public Task FLOW027_Reports_catch_on_a_loop_with_two_ways_out() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int Round { get; set; }
            [Step] public void Start() { Round = 0; Next(Train); }
            [Step, {|FLOW027:Catch|}]
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
    public Task FLOW028_Reports_catch_naming_a_missing_artifact() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, {|FLOW028:Catch("Error")|}] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW028_Reports_catch_naming_an_artifact_of_another_type() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public string? Error { get; set; }
            [Step, {|FLOW028:Catch(nameof(Error))|}] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW028_Accepts_catch_naming_a_step_error_artifact() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public StepError? Error { get; set; }
            [Step, Catch(nameof(Error))] public void Start() { Next(End); }
            [Step] public void End() { Console.WriteLine(Error is null ? "ok" : Error.Message); }
        }
        """);

    [Test]
    public Task FLOW049_Reports_two_cards_with_one_id() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, Card, {|FLOW049:Card|}] public void Start() { Next(A); }
            [Step, Card(Id = "report"), {|FLOW049:Card(Id = "report")|}] public void A() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [TestCase("../report")]
    [TestCase("a.b")]
    [TestCase("")]
    [TestCase("with space")]
    public Task FLOW049_Reports_a_card_id_that_is_not_a_plain_name(string id) => AnalyzerVerifier.VerifyAsync($$"""
        public partial class F : FlowSpec
        {
            [Step, {|FLOW049:Card(Id = "{{id}}")|}] public void Start() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task FLOW049_Accepts_several_cards_with_ids_of_their_own() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step, Card, Card(Id = "eval-metrics"), Card(Id = "Details_2")] public void Start() { Next(End); }
            [Step, Card] public void End() { }
        }
        """);
}
