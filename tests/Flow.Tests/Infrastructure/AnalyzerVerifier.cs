using Flow.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Flow.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="FlowAnalyzer"/> on markup source: <c>{|FLOW013:Foo|}</c> marks where a diagnostic
/// must be reported, and every other diagnostic (compiler errors included) fails the test.
/// </summary>
public static class AnalyzerVerifier
{
    public const string Usings = "using System;\nusing System.Collections.Generic;\nusing System.Linq;\nusing Flow;\n\n";

    public static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = Usings + source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static DiagnosticResult Diagnostic(string id) => new(id, DiagnosticSeverity.Error);

    internal sealed class Test : CSharpAnalyzerTest<FlowAnalyzer, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0");
            TestState.AdditionalReferences.AddRange(References.All);
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
