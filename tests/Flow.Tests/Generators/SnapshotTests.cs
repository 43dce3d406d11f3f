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
        // A sample with packages of its own (TitleModels) compiles against its build output's assemblies too, and one
        // that writes its own Main turns the generated one off, as its project does.
        var text = project is null ? "" : File.ReadAllText(project);
        var references = hosting ? References.All : References.WithoutHosting;
        if (text.Contains("<PackageReference", StringComparison.Ordinal))
        {
            references = references.AddRange(PackageAssemblies(sample, references));
        }

        var properties = text.Contains("<FlowGenerateMain>false</FlowGenerateMain>", StringComparison.Ordinal)
            ? new Dictionary<string, string> { ["FlowGenerateMain"] = "false" }
            : null;
        var (driver, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(sources, OutputKind.ConsoleApplication, sample, references), properties);
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

    /// <summary>The managed assemblies of a sample's build output that <paramref name="references"/> lack (its packages').</summary>
    private static IEnumerable<MetadataReference> PackageAssemblies(string sample, IEnumerable<MetadataReference> references)
    {
        var output = Path.GetDirectoryName(RepoPaths.SampleDll(sample))!;
        Assert.That(Directory.Exists(output), Is.True, $"{output} is not built; build the solution first.");
        var present = references.Select(r => Path.GetFileName(r.Display)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        present.Add(sample + ".dll");
        foreach (var path in Directory.GetFiles(output, "*.dll").Order(StringComparer.Ordinal))
        {
            if (present.Contains(Path.GetFileName(path)) || !IsManaged(path))
            {
                continue;
            }

            yield return MetadataReference.CreateFromFile(path);
        }
    }

    private static bool IsManaged(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
