using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Flow.Analyzers;
using Flow.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Flow.Tests.Infrastructure;

/// <summary>Runs the generator (and optionally the analyzer) on sources in memory, compiles the result, and loads it.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    public static CSharpCompilation Compile(IEnumerable<(string Path, string Source)> sources, OutputKind kind = OutputKind.DynamicallyLinkedLibrary, string name = "TestFlows", IEnumerable<MetadataReference>? references = null)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Source, ParseOptions, s.Path));
        var globalUsings = CSharpSyntaxTree.ParseText(
            "global using System; global using System.Collections.Generic; global using System.Linq; global using System.Threading.Tasks;",
            ParseOptions,
            "GlobalUsings.cs");
        return CSharpCompilation.Create(
            name,
            trees.Append(globalUsings),
            references ?? References.All,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
    }

    public static CSharpCompilation Compile(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary) => Compile(new[] { ("Flow.cs", source) }, kind);

    /// <summary>Runs the generator; returns the driver (for run results) and the compilation with the generated sources.</summary>
    public static (GeneratorDriver Driver, Compilation Output) Generate(CSharpCompilation compilation, IReadOnlyDictionary<string, string>? buildProperties = null)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new FlowGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            optionsProvider: new OptionsProvider(buildProperties ?? new Dictionary<string, string>()),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver, output);
    }

    /// <summary>Errors of the compilation with the generated sources, and of the analyzer.</summary>
    public static async Task<ImmutableArray<Diagnostic>> ErrorsAsync(Compilation output)
    {
        var analyzed = output.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new FlowAnalyzer()));
        var all = await analyzed.GetAllDiagnosticsAsync().ConfigureAwait(false);
        return all.Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
    }

    /// <summary>Emits and loads the compilation into its own collectible load context.</summary>
    public static Assembly Load(Compilation output)
    {
        using var stream = new MemoryStream();
        var result = output.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException("The generated code does not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        stream.Position = 0;
        var context = new TestLoadContext();
        return context.LoadFromStream(stream);
    }

    /// <summary>Loads Flow's own assemblies from the default context, so that the flow and the tests share FlowSpec.</summary>
    private sealed class TestLoadContext() : AssemblyLoadContext("flow-test", isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName assemblyName) => null;
    }

    private sealed class OptionsProvider(IReadOnlyDictionary<string, string> properties) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(properties);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(new Dictionary<string, string>());

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(new Dictionary<string, string>());

        private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value)
            {
                var found = values.TryGetValue(key.Replace("build_property.", ""), out var v);
                value = v ?? "";
                return found;
            }
        }
    }
}
