using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Analyzers;

public class SmokeTests
{
    [Test]
    public Task ValidBranchFlowHasNoDiagnostics() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { X = 1; Next(A, B); }
            [Step] public void A() { X += 2; Next(Join); }
            [Step] public void B() { X += 3; Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { X = inputs.Max(i => i.X); Next(End); }
            [Step] public void End() => Console.WriteLine(X);
        }
        """);

    [Test]
    public Task MissingNextIsReported() => AnalyzerVerifier.VerifyAsync("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void {|FLOW011:A|}() { if (DateTime.Now.Second > 30) Next(End); }
            [Step] public void End() { }
        }
        """);
}
