using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Packaging;

/// <summary>
/// Packs the Flow package into a local folder feed and uses it as a user does: from a console project and
/// from a file-based app, with a flow that runs and one that must fail the build.
/// </summary>
[TestFixture]
[Category("Package")]
public class PackageTests
{
    private static readonly TimeSpan Timeout = LocalFeed.Timeout;

    private const string BrokenFlow = """
        using Flow;

        namespace Consumer;

        public partial class BrokenFlow : FlowSpec
        {
            [Step]
            public void Start() => Next(Helper);

            public void Helper() { }

            [Step]
            public void End() { }
        }
        """;

    private LocalFeed? _feed;
    private string _package = "";

    private LocalFeed Feed => _feed ?? throw new InvalidOperationException("The feed is made in OneTimeSetUp.");

    private static string BranchFlow => File.ReadAllText(Path.Combine(RepoPaths.Samples, "BranchFlow", "BranchFlow.cs"));

    [OneTimeSetUp]
    public void PackIntoALocalFeed()
    {
        _feed = LocalFeed.Create("package-tests");
        _package = Feed.Pack(Path.Combine("src", "Flow", "Flow.csproj"), "Flow");
    }

    [OneTimeTearDown]
    public void RemoveTheFeedAndTheCachedPackage() => _feed?.Dispose();

    [Test]
    public void PackageHoldsTheRuntimeInLibAndTheCompilerPartsInAnalyzers()
    {
        using var zip = ZipFile.OpenRead(_package);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        var listing = string.Join("\n", entries);

        Assert.That(entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)), Is.EquivalentTo(new[]
        {
            "lib/net10.0/Flow.Runtime.dll",
            "lib/net10.0/Flow.Runtime.xml",
        }), listing);
        Assert.That(entries.Where(e => e.StartsWith("runtimes/", StringComparison.Ordinal)), Is.EquivalentTo(new[]
        {
            $"runtimes/{RuntimeInformation.RuntimeIdentifier}/lib/net10.0/Flow.Runtime.dll",
            "runtimes/unix/lib/net10.0/Flow.Runtime.dll",
            "runtimes/win/lib/net10.0/Flow.Runtime.dll",
        }), listing);
        Assert.That(entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)), Is.EquivalentTo(new[]
        {
            "analyzers/dotnet/cs/Flow.Generators.dll",
            "analyzers/dotnet/cs/Flow.Analyzers.dll",
            "analyzers/dotnet/cs/Flow.Analyzers.CodeFixes.dll",
        }), listing);
        Assert.That(entries, Is.SupersetOf(new[] { "build/Flow.props", "buildTransitive/Flow.props", "README.md" }), listing);
    }

    [Test]
    public void PackagedRuntimeIsPrecompiledForThisPlatformAndShipsILForTheOthers()
    {
        using var zip = ZipFile.OpenRead(_package);
        foreach (var path in new[] { "lib/net10.0/Flow.Runtime.dll", $"runtimes/{RuntimeInformation.RuntimeIdentifier}/lib/net10.0/Flow.Runtime.dll" })
        {
            using var pe = Open(zip, path);
            var cor = pe.PEHeaders.CorHeader!;
            Assert.That(cor.ManagedNativeHeaderDirectory.Size, Is.GreaterThan(0), $"{path}: a ReadyToRun image (dotnet pack builds Release, which precompiles the runtime)");
            Assert.That(pe.HasMetadata && cor.MetadataDirectory.Size > 0, Is.True, $"{path}: the IL and metadata stay");
            if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
            {
                // A ReadyToRun image's machine is AMD64 xor a per-OS value: the runtime uses only code for its own platform.
                var os = OperatingSystem.IsLinux() ? 0x7B79 : OperatingSystem.IsMacOS() ? 0x4644 : OperatingSystem.IsFreeBSD() ? 0xADC4 : 0;
                Assert.That((int)pe.PEHeaders.CoffHeader.Machine, Is.EqualTo((int)Machine.Amd64 ^ os), $"{path}: code for the platform that packed it");
            }
        }

        // What a publish for another platform restores (through runtimes/unix or runtimes/win): IL, which that publish precompiles itself.
        foreach (var path in new[] { "runtimes/unix/lib/net10.0/Flow.Runtime.dll", "runtimes/win/lib/net10.0/Flow.Runtime.dll" })
        {
            using var pe = Open(zip, path);
            Assert.That(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size, Is.Zero, $"{path}: IL only");
            Assert.That(pe.PEHeaders.CorHeader.Flags.HasFlag(CorFlags.ILOnly), Is.True, $"{path}: IL only");
        }

        static PEReader Open(ZipArchive zip, string path)
        {
            var dll = new MemoryStream();
            using (var entry = zip.GetEntry(path)?.Open() ?? throw new AssertionException($"{path} is not in the package"))
            {
                entry.CopyTo(dll);
            }

            dll.Position = 0;
            return new PEReader(dll);
        }
    }

    [Test]
    public void PackageDependsOnTheRuntimesPackagesOnly()
    {
        using var zip = ZipFile.OpenRead(_package);
        using var nuspec = zip.GetEntry("Flow.nuspec")!.Open();
        var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => $"{e.Attribute("id")?.Value} {e.Attribute("version")?.Value}");

        Assert.That(dependencies, Is.EquivalentTo(new[]
        {
            $"AWSSDK.S3 {CentralVersion("AWSSDK.S3")}",
            $"MessagePack {CentralVersion("MessagePack")}",
            $"System.CommandLine {CentralVersion("System.CommandLine")}",
            $"YamlDotNet {CentralVersion("YamlDotNet")}",
            $"Cronos {CentralVersion("Cronos")}",
            $"System.IO.Hashing {CentralVersion("System.IO.Hashing")}",
            $"Markdig {CentralVersion("Markdig")}",
        }));
    }

    [Test]
    public void ConsoleProjectRunsTheFlow()
    {
        var dir = ConsoleProject("console", BranchFlow);

        var run = TestProcess.RunDotNet(dir, Timeout, "run", "--", "run");

        Assert.That(run.Code, Is.EqualTo(0), run.ToString());
        Assert.That(Lines(run.Output), Has.Some.EndsWith("out = 3"), run.ToString());

        // The package leaves EventSource support as the SDK has it (on), so dotnet-counters and dotnet-trace can watch the program.
        var config = Directory.GetFiles(Path.Combine(dir, "bin"), "*.runtimeconfig.json", SearchOption.AllDirectories).Single();
        Assert.That(File.ReadAllText(config), Does.Not.Contain("EventSource"), config);
    }

    [Test]
    public void ConsoleProjectWithABrokenFlowFailsTheBuild()
    {
        var dir = ConsoleProject("console-broken", BrokenFlow);

        var build = TestProcess.RunDotNet(dir, Timeout, "build");

        Assert.That(build.Code, Is.Not.EqualTo(0), build.ToString());
        Assert.That(build.Output, Does.Match(@"error FLOW\d{3}:"), build.ToString());
    }

    [Test]
    public void FileBasedAppRunsTheFlow()
    {
        var dir = FileBasedApp("file-based", BranchFlow);

        var run = TestProcess.RunDotNet(dir, Timeout, "run", "flow.cs", "--artifacts-path", Path.Combine(dir, "artifacts"), "--", "run");

        Assert.That(run.Code, Is.EqualTo(0), run.ToString());
        Assert.That(Lines(run.Output), Has.Some.EndsWith("out = 3"), run.ToString());
    }

    [Test]
    public void FileBasedAppWithABrokenFlowFailsTheBuild()
    {
        var dir = FileBasedApp("file-based-broken", BrokenFlow);

        var build = TestProcess.RunDotNet(dir, Timeout, "build", "flow.cs", "--artifacts-path", Path.Combine(dir, "artifacts"));

        Assert.That(build.Code, Is.Not.EqualTo(0), build.ToString());
        Assert.That(build.Output, Does.Match(@"error FLOW\d{3}:"), build.ToString());
    }

    /// <summary>A console project that references the package and holds one flow and no <c>Main</c>: the generated one runs it.</summary>
    private string ConsoleProject(string name, string flow)
    {
        var dir = ProjectFolder(name);
        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Flow" Version="{Feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Flow.cs"), flow);
        return dir;
    }

    /// <summary>
    /// A file-based app, <c>flow.cs</c>. Its implicit project is named after the file, and a project named
    /// "flow" cannot reference the package "Flow" (NU1108, a dependency cycle), so it names its assembly.
    /// </summary>
    private string FileBasedApp(string name, string flow)
    {
        var dir = ProjectFolder(name);
        File.WriteAllText(Path.Combine(dir, "flow.cs"), $"""
            #:package Flow@{Feed.Version}
            #:property AssemblyName=FlowApp

            {flow}
            """);
        return dir;
    }

    private string ProjectFolder(string name) => Feed.ProjectFolder(name);

    private static IEnumerable<string> Lines(string output) => LocalFeed.Lines(output);

    private static string CentralVersion(string package) =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => e.Attribute("Include")?.Value == package).Attribute("Version")!.Value;
}
