using System.IO.Compression;
using System.Text.RegularExpressions;
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
    // Restores and first builds are slow on a cold machine; a hung command is killed after this.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

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

    private string _root = "";
    private string _feed = "";
    private string _version = "";

    private string Package => Path.Combine(_feed, $"Flow.{_version}.nupkg");

    private static string BranchFlow => File.ReadAllText(Path.Combine(RepoPaths.Samples, "BranchFlow", "BranchFlow.cs"));

    [OneTimeSetUp]
    public void PackIntoALocalFeed()
    {
        DotNetCli.Require();
        _root = Directory.CreateTempSubdirectory("flow-package-tests-").FullName;
        // The projects below stand alone, as a user's do: no MSBuild setup of an enclosing folder reaches them.
        foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(_root, name), "<Project />\n");
        }

        _feed = Path.Combine(_root, "feed");
        // A version never used before, so that no NuGet cache can serve an older build of the package.
        _version = $"{FlowVersion()}-test.{DateTime.UtcNow:yyyyMMddHHmmss}.p{Environment.ProcessId}";
        var pack = DotNetCli.Run(
            RepoPaths.Root,
            Timeout,
            "pack", Path.Combine(RepoPaths.Root, "src", "Flow", "Flow.csproj"), "-o", _feed, $"-p:PackageVersion={_version}");
        Assert.That(pack.ExitCode, Is.EqualTo(0), pack.ToString());
        Assert.That(File.Exists(Package), Is.True, $"{Package} was not created.\n{pack}");
    }

    [OneTimeTearDown]
    public void RemoveTheFeedAndTheCachedPackage()
    {
        if (_root.Length == 0)
        {
            return;
        }

        var locals = DotNetCli.Run(_root, Timeout, "nuget", "locals", "global-packages", "--list");
        var globalPackages = Regex.Match(locals.Output, @"global-packages:\s*(.+)").Groups[1].Value.Trim();
        var cached = Path.Combine(globalPackages, "flow", _version.ToLowerInvariant());
        if (globalPackages.Length > 0 && Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }

        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public void PackageHoldsTheRuntimeInLibAndTheCompilerPartsInAnalyzers()
    {
        using var zip = ZipFile.OpenRead(Package);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        var listing = string.Join("\n", entries);

        Assert.That(entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)), Is.EquivalentTo(new[]
        {
            "lib/net10.0/Flow.Runtime.dll",
            "lib/net10.0/Flow.Runtime.xml",
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
    public void PackageDependsOnTheRuntimesPackagesOnly()
    {
        using var zip = ZipFile.OpenRead(Package);
        using var nuspec = zip.GetEntry("Flow.nuspec")!.Open();
        var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => $"{e.Attribute("id")?.Value} {e.Attribute("version")?.Value}");

        Assert.That(dependencies, Is.EquivalentTo(new[]
        {
            $"AWSSDK.S3 {CentralVersion("AWSSDK.S3")}",
            $"MessagePack {CentralVersion("MessagePack")}",
            $"System.CommandLine {CentralVersion("System.CommandLine")}",
        }));
    }

    [Test]
    public void ConsoleProjectRunsTheFlow()
    {
        var dir = ConsoleProject("console", BranchFlow);

        var run = DotNetCli.Run(dir, Timeout, "run", "--", "run");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(Lines(run.Output), Has.Some.EndsWith("out = 3"), run.ToString());
    }

    [Test]
    public void ConsoleProjectWithABrokenFlowFailsTheBuild()
    {
        var dir = ConsoleProject("console-broken", BrokenFlow);

        var build = DotNetCli.Run(dir, Timeout, "build");

        Assert.That(build.ExitCode, Is.Not.EqualTo(0), build.ToString());
        Assert.That(build.Output, Does.Match(@"error FLOW\d{3}:"), build.ToString());
    }

    [Test]
    public void FileBasedAppRunsTheFlow()
    {
        var dir = FileBasedApp("file-based", BranchFlow);

        var run = DotNetCli.Run(dir, Timeout, "run", "flow.cs", "--artifacts-path", Path.Combine(dir, "artifacts"), "--", "run");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(Lines(run.Output), Has.Some.EndsWith("out = 3"), run.ToString());
    }

    [Test]
    public void FileBasedAppWithABrokenFlowFailsTheBuild()
    {
        var dir = FileBasedApp("file-based-broken", BrokenFlow);

        var build = DotNetCli.Run(dir, Timeout, "build", "flow.cs", "--artifacts-path", Path.Combine(dir, "artifacts"));

        Assert.That(build.ExitCode, Is.Not.EqualTo(0), build.ToString());
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
                <PackageReference Include="Flow" Version="{_version}" />
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
            #:package Flow@{_version}
            #:property AssemblyName=FlowApp

            {flow}
            """);
        return dir;
    }

    /// <summary>A folder whose nuget.config puts the local feed before nuget.org.</summary>
    private string ProjectFolder(string name)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="flow-local" value="{_feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        return dir;
    }

    private static IEnumerable<string> Lines(string output) => output.Split('\n').Select(l => l.Trim());

    private static string FlowVersion() =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props")).Descendants("FlowVersion").Single().Value;

    private static string CentralVersion(string package) =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => e.Attribute("Include")?.Value == package).Attribute("Version")!.Value;
}
