using Flow.Analyzers;
using Flow.Analyzers.CodeFixes;
using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using NUnit.Framework;

namespace Flow.Tests.CodeFixes;

/// <summary>
/// The code fixes, run on markup source as the IDE would: the diagnostics before, the code after
/// (which must have no diagnostics at all, compiler errors included).
/// </summary>
public class CodeFixTests
{
    [Test]
    public Task AddNextToEmptyStep() => VerifyAsync<AddNextCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void {|FLOW011:A|}() { }
            [Step] public void {|FLOW017:End|}() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A() { Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task AddNextAfterTheLastStatement() => VerifyAsync<AddNextCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }

            [Step]
            public void Start()
            {
                X = 1;
                Next(A);
            }

            [Step]
            public void {|FLOW011:A|}()
            {
                X += 1;
                Console.WriteLine(X);
            }

            [Step]
            public void {|FLOW017:End|}()
            {
            }
        }
        """, """
        public partial class F : FlowSpec
        {
            public int X { get; set; }

            [Step]
            public void Start()
            {
                X = 1;
                Next(A);
            }

            [Step]
            public void A()
            {
                X += 1;
                Console.WriteLine(X);
                Next(End);
            }

            [Step]
            public void End()
            {
            }
        }
        """);

    [Test]
    public Task AddNextBeforeAFinalReturn() => VerifyAsync<AddNextCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void {|FLOW011:A|}() { Console.WriteLine(1); return; }
            [Step] public void {|FLOW017:End|}() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A() { Console.WriteLine(1); Next(End); return; }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task AddNextToExpressionBodiedStep() => VerifyAsync<AddNextCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void {|FLOW011:A|}() => Console.WriteLine("a");
            [Step] public void {|FLOW017:End|}() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A() { Console.WriteLine("a"); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task AddNextToMultiLineExpressionBodiedStep() => VerifyAsync<AddNextCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }

            [Step]
            public void {|FLOW011:A|}() =>
                Console.WriteLine("a");

            [Step] public void {|FLOW017:End|}() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }

            [Step]
            public void A()
            {
                Console.WriteLine("a");
                Next(End);
            }

            [Step] public void End() { }
        }
        """);

    [Test]
    public Task AddNextToAnotherStepByEquivalenceKey() => VerifyAsync<AddNextCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void {|FLOW011:A|}() { }
            [Step] public void {|FLOW017:B|}() { Next(End); }
            [Step] public void {|FLOW017:End|}() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A() { Next(B); }
            [Step] public void B() { Next(End); }
            [Step] public void End() { }
        }
        """, test => test.CodeActionEquivalenceKey = AddNextCodeFixProvider.EquivalenceKey("B"));

    [Test]
    public Task AddNextOffersEndFirstThenTheOtherSteps() => VerifyAsync<AddNextCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void {|FLOW011:A|}() { }
            [Step] public void {|FLOW017:B|}() { Next(End); }
            [Step] public void {|FLOW017:End|}() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void A() { Next(B); }
            [Step] public void B() { Next(End); }
            [Step] public void End() { }
        }
        """, test =>
        {
            test.CodeActionIndex = 1;
            test.CodeActionVerifier = (action, verifier) => verifier.Equal("Add Next(B)", action.Title);
        });

    [Test]
    public Task AddNextIsNotOfferedWhenSomePathCallsNext() => VerifyAsync<AddNextCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void {|FLOW011:A|}() { if (DateTime.Now.Second > 30) Next(End); }
            [Step] public void End() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A); }
            [Step] public void {|FLOW011:A|}() { if (DateTime.Now.Second > 30) Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task AddNextToEveryStepAtOnce() => VerifyAsync<AddNextCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void {|FLOW011:A|}() { }
            [Step] public void {|FLOW011:B|}() { }
            [Step] public void {|FLOW017:Join|}(JoinInputs<F> inputs) { Next(End); }
            [Step] public void {|FLOW017:End|}() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(End); }
            [Step] public void End() { }
        }
        """, test => test.CodeActionEquivalenceKey = AddNextCodeFixProvider.EquivalenceKey("Join"));

    [Test]
    public Task GenerateJoinForBranchesMeetingAtEnd() => VerifyAsync<GenerateJoinCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { X = 1; Next(A, B); }
            [Step] public void A() { Next(End); }
            [Step] public void B() { Next(End); }
            [Step] public void {|FLOW021:End|}() => Console.WriteLine(X);
        }
        """, """
        public partial class F : FlowSpec
        {
            public int X { get; set; }
            [Step] public void Start() { X = 1; Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { MergeArtifacts(inputs); Next(End); }
            [Step] public void End() => Console.WriteLine(X);
        }
        """);

    [Test]
    public Task GenerateJoinLaidOutLikeTheNextStep() => VerifyAsync<GenerateJoinCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(this.C); }
            [Step] public void B() { Next(C); }

            /// <summary>Runs once both branches are done.</summary>
            [Step]
            public void {|FLOW021:C|}()
            {
                Next(End);
            }

            [Step] public void End() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(this.Join); }
            [Step] public void B() { Next(Join); }

            [Step]
            public void Join(JoinInputs<F> inputs)
            {
                MergeArtifacts(inputs);
                Next(C);
            }

            /// <summary>Runs once both branches are done.</summary>
            [Step]
            public void C()
            {
                Next(End);
            }

            [Step] public void End() { }
        }
        """);

    [Test]
    public Task GenerateJoinAvoidsATakenName() => VerifyAsync<GenerateJoinCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(Mid); }
            [Step] public void Mid() { Next(C, D); }
            [Step] public void C() { Next(End); }
            [Step] public void D() { Next(End); }
            [Step] public void {|FLOW021:End|}() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            [Step] public void Start() { Next(A, B); }
            [Step] public void A() { Next(Join); }
            [Step] public void B() { Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { Next(Mid); }
            [Step] public void Mid() { Next(C, D); }
            [Step] public void C() { Next(JoinEnd); }
            [Step] public void D() { Next(JoinEnd); }
            [Step] public void JoinEnd(JoinInputs<F> inputs) { MergeArtifacts(inputs); Next(End); }
            [Step] public void End() { }
        }
        """, test => test.CodeActionVerifier = (action, verifier) => verifier.Equal("Generate join step JoinEnd before End", action.Title));

    [Test]
    public Task GenerateJoinClosesAForeachLeftOpenAtEnd() => VerifyAsync<GenerateJoinCodeFixProvider>("""
        public partial class F : FlowSpec
        {
            public string[] Items { get; set; } = [];
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["x", "y"]; Next(A); }
            [Step] public void A(string item) { Console.WriteLine(item); Next(End); }
            [Step] public void {|FLOW020:End|}() { }
        }
        """, """
        public partial class F : FlowSpec
        {
            public string[] Items { get; set; } = [];
            [Step, Foreach(nameof(Items))] public void Start() { Items = ["x", "y"]; Next(A); }
            [Step] public void A(string item) { Console.WriteLine(item); Next(Join); }
            [Step] public void Join(JoinInputs<F> inputs) { MergeArtifacts(inputs); Next(End); }
            [Step] public void End() { }
        }
        """);

    [Test]
    public Task GenerateJoinImportsFlow() => new Test<GenerateJoinCodeFixProvider>
    {
        TestCode = """
            using System;

            public partial class F : Flow.FlowSpec
            {
                [Flow.Step] public void Start() { Next(A, B); }
                [Flow.Step] public void A() { Next(End); }
                [Flow.Step] public void B() { Next(End); }
                [Flow.Step] public void {|FLOW021:End|}() { }
            }
            """,
        FixedCode = """
            using System;
            using Flow;

            public partial class F : Flow.FlowSpec
            {
                [Flow.Step] public void Start() { Next(A, B); }
                [Flow.Step] public void A() { Next(Join); }
                [Flow.Step] public void B() { Next(Join); }
                [Step] public void Join(JoinInputs<F> inputs) { MergeArtifacts(inputs); Next(End); }
                [Flow.Step] public void End() { }
            }
            """,
    }.RunAsync();

    private static Task VerifyAsync<TCodeFix>(string source, string fixedSource, Action<Test<TCodeFix>>? configure = null)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new Test<TCodeFix> { TestCode = AnalyzerVerifier.Usings + source, FixedCode = AnalyzerVerifier.Usings + fixedSource };
        configure?.Invoke(test);
        return test.RunAsync();
    }

    /// <summary>Configured as <see cref="AnalyzerVerifier"/> configures analyzer tests: the same references, C# 12, nullable enabled.</summary>
    public sealed class Test<TCodeFix> : CSharpCodeFixTest<FlowAnalyzer, TCodeFix, DefaultVerifier>
        where TCodeFix : CodeFixProvider, new()
    {
        public Test()
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0");
            TestState.AdditionalReferences.AddRange(References.All);
            FixedState.AdditionalReferences.AddRange(References.All);
            SolutionTransforms.Add((solution, projectId) =>
            {
                var project = solution.GetProject(projectId)!;
                return solution
                    .WithProjectParseOptions(projectId, ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.CSharp12))
                    .WithProjectCompilationOptions(projectId, ((CSharpCompilationOptions)project.CompilationOptions!).WithNullableContextOptions(NullableContextOptions.Enable));
            });
        }
    }
}
