using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Flow.Tests.Generators;

/// <summary>
/// The generated source of every sample, compared with its golden file in Snapshots/&lt;Sample&gt;/&lt;HintName&gt;.txt.
/// UPDATE_GOLDEN=1 rewrites them; a missing golden file fails under CI=true and is written otherwise.
/// </summary>
public class SnapshotTests
{
    public static IEnumerable<string> Samples() =>
        Directory.GetDirectories(RepoPaths.Samples).Where(d => Directory.GetFiles(d, "*.cs").Length > 0).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(Samples))]
    public void GeneratedSourceMatchesTheSnapshot(string sample)
    {
        var sources = Directory.GetFiles(Path.Combine(RepoPaths.Samples, sample), "*.cs").Order(StringComparer.Ordinal)
            .Select(p => (Path.GetFileName(p), File.ReadAllText(p)));
        // Compiled with the references of the sample's project: Flow.Hosting only where it references it (its programs get the ui command).
        var project = Directory.GetFiles(Path.Combine(RepoPaths.Samples, sample), "*.csproj").SingleOrDefault();
        var hosting = project is not null && File.ReadAllText(project).Contains("Flow.Hosting", StringComparison.Ordinal);
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(sources, OutputKind.ConsoleApplication, sample, hosting ? References.All : References.WithoutHosting));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors, Is.Empty, "the sample with its generated code must compile");

        var generated = driver.GetRunResult().Results.Single().GeneratedSources;
        var folder = Path.Combine(RepoPaths.Root, "tests", "Flow.Tests", "Snapshots", sample);
        var update = Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1";
        var expectedFiles = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.txt").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList() : [];
        var actualFiles = generated.Select(g => g.HintName).Order(StringComparer.Ordinal).ToList();
        if (update || (!Ci.IsCi && expectedFiles.Count == 0))
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
            foreach (var source in generated)
            {
                File.WriteAllText(Path.Combine(folder, source.HintName + ".txt"), Normalize(source.SourceText.ToString()));
            }

            Assert.Warn($"Snapshots of {sample} written to {folder}; review and commit them.");
            return;
        }

        Assert.That(actualFiles, Is.EqualTo(expectedFiles), $"the set of generated files of {sample} changed; run with UPDATE_GOLDEN=1 if that is intended");
        foreach (var source in generated)
        {
            var expected = Normalize(File.ReadAllText(Path.Combine(folder, source.HintName + ".txt")));
            Assert.That(Normalize(source.SourceText.ToString()), Is.EqualTo(expected), $"{sample}/{source.HintName} differs from its snapshot; run with UPDATE_GOLDEN=1 if that is intended");
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
