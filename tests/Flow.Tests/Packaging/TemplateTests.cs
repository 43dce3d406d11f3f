using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Packaging;

/// <summary>
/// The ways to get started: the <c>dotnet new flow</c> template (the Flow.Templates package) and the single-file
/// sample <c>samples/hello.cs</c>, both used as a user does, against the Flow package from a local feed.
/// The template is installed into a hive of its own, so the user's installed templates are left alone.
/// </summary>
[TestFixture]
[Category("Package")]
public class TemplateTests
{
    private const string TemplateJsonPath = "content/MyFlow/.template.config/template.json";

    private static readonly TimeSpan Timeout = LocalFeed.Timeout;

    private static readonly Regex PackageDirective = new(@"^#:package Flow@(\S+)[ \t]*$", RegexOptions.Multiline);

    private LocalFeed? _feed;
    private string _templatePackage = "";
    private string _hive = "";
    private string _hostingPackage = "";

    private LocalFeed Feed => _feed ?? throw new InvalidOperationException("The feed is made in OneTimeSetUp.");

    private static string HelloSample => Path.Combine(RepoPaths.Samples, "hello.cs");

    [OneTimeSetUp]
    public void PackBothPackagesAndInstallTheTemplate()
    {
        _feed = LocalFeed.Create("template-tests");
        _templatePackage = Feed.Pack(Path.Combine("templates", "Flow.Templates", "Flow.Templates.csproj"), "Flow.Templates");
        Feed.Pack(Path.Combine("src", "Flow", "Flow.csproj"), "Flow");
        _hostingPackage = Feed.Pack(Path.Combine("src", "Flow.Hosting", "Flow.Hosting.csproj"), "Flow.Hosting");

        _hive = Path.Combine(Feed.Root, "hive");
        var install = TestProcess.RunDotNet(Feed.Root, Timeout, "new", "install", _templatePackage, "--debug:custom-hive", _hive);
        Assert.That(install.Code, Is.EqualTo(0), install.ToString());
    }

    [OneTimeTearDown]
    public void RemoveTheFeedAndTheCachedPackages() => _feed?.Dispose();

    [Test]
    public void TemplatePackageHoldsTheTemplateWithTheVersionItWasPackedWith()
    {
        using var zip = ZipFile.OpenRead(_templatePackage);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.That(entries.Where(e => e.StartsWith("content/", StringComparison.Ordinal)), Is.EquivalentTo(new[]
        {
            "content/MyFlow/.template.config/template.json",
            "content/MyFlow/.template.config/dotnetcli.host.json",
            "content/MyFlow/.gitignore",
            "content/MyFlow/MyFlow.csproj",
            "content/MyFlow/MyFlow.cs",
            "content/MyFlow/MyFlowService.cs",
            "content/MyFlow/README.md",
        }), string.Join("\n", entries));

        using var nuspecStream = zip.GetEntry("Flow.Templates.nuspec")!.Open();
        var nuspec = XDocument.Load(nuspecStream);
        Assert.That(nuspec.Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => e.Attribute("name")?.Value), Is.EqualTo(new[] { "Template" }));
        Assert.That(nuspec.Descendants().Where(e => e.Name.LocalName == "dependency"), Is.Empty);

        using var templateJson = zip.GetEntry(TemplateJsonPath)!.Open();
        var template = JsonDocument.Parse(templateJson).RootElement;
        Assert.That(template.GetProperty("identity").GetString(), Is.EqualTo("Flow.Templates.Flow"));
        Assert.That(template.GetProperty("shortName").GetString(), Is.EqualTo("flow"));
        Assert.That(template.GetProperty("symbols").GetProperty("FlowVersion").GetProperty("defaultValue").GetString(), Is.EqualTo(Feed.Version));
    }

    [Test]
    public void NewFlowProjectReferencesTheTemplatesVersionOfFlowAndRuns()
    {
        var dir = Feed.ProjectFolder("template-default");

        var create = NewFlow(dir, "Demo");

        Assert.That(create.Code, Is.EqualTo(0), create.ToString());
        var project = Path.Combine(dir, "Demo");
        Assert.That(PackageReferenceVersion(Path.Combine(project, "Demo.csproj")), Is.EqualTo(Feed.Version));
        Assert.That(File.ReadAllText(Path.Combine(project, "Demo.cs")), Does.Contain("public partial class Demo : FlowSpec"));
        Assert.That(File.ReadAllLines(Path.Combine(project, ".gitignore")), Does.Contain(".flow/"));
        Assert.That(File.Exists(Path.Combine(project, "README.md")), Is.True);
        Assert.That(Directory.Exists(Path.Combine(project, ".template.config")), Is.False);
        Assert.That(File.Exists(Path.Combine(project, "DemoService.cs")), Is.False, "a service only with --service");
        Assert.That(File.ReadAllText(Path.Combine(project, "Demo.csproj")), Does.Not.Contain("Flow.Hosting"));

        var run = TestProcess.RunDotNet(project, Timeout, "run", "--", "run");

        Assert.That(run.Code, Is.EqualTo(0), run.ToString());
        Assert.That(LocalFeed.Lines(run.Output), Has.Some.EndsWith("out = 3"), run.ToString());
    }

    [Test]
    public void HostingPackageDependsOnFlowOfItsVersionAndOnAspNetCore()
    {
        using var zip = ZipFile.OpenRead(_hostingPackage);
        Assert.That(zip.Entries.Select(e => e.FullName), Does.Contain("lib/net10.0/Flow.Hosting.dll").And.Contain("README.md"));
        using var nuspecStream = zip.GetEntry("Flow.Hosting.nuspec")!.Open();
        var nuspec = XDocument.Load(nuspecStream);
        var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);
        Assert.That(dependencies.Keys, Is.EquivalentTo(new[] { "Flow", "Microsoft.AspNetCore.OpenApi" }));
        Assert.That(dependencies["Flow"], Is.EqualTo(Feed.Version));
        Assert.That(nuspec.Descendants().Where(e => e.Name.LocalName == "dependency" && e.Attribute("id")!.Value == "Flow").Single().Attribute("exclude"), Is.Null, "the generator and analyzers come with Flow");
        Assert.That(nuspec.Descendants().Where(e => e.Name.LocalName == "frameworkReference").Select(e => e.Attribute("name")?.Value), Is.EqualTo(new[] { "Microsoft.AspNetCore.App" }));
    }

    [Test]
    public async Task ServiceOptionAddsAWebServiceThatServeAnswersFromTheLatestRun()
    {
        var dir = Feed.ProjectFolder("template-service");

        var create = NewFlow(dir, "Titles", "--service");

        Assert.That(create.Code, Is.EqualTo(0), create.ToString());
        var project = Path.Combine(dir, "Titles");
        var csproj = XDocument.Load(Path.Combine(project, "Titles.csproj"));
        Assert.That(
            csproj.Descendants("PackageReference").Select(e => $"{e.Attribute("Include")?.Value} {e.Attribute("Version")?.Value}"),
            Is.EquivalentTo(new[] { $"Flow {Feed.Version}", $"Flow.Hosting {Feed.Version}" }));
        Assert.That(File.ReadAllText(Path.Combine(project, "TitlesService.cs")), Does.Contain("public partial class TitlesService : WebServiceSpec<Titles>"));
        Assert.That(File.ReadAllText(Path.Combine(project, "README.md")), Does.Contain("dotnet run -- serve"));

        var run = TestProcess.RunDotNet(project, Timeout, "run", "--", "run");
        Assert.That(run.Code, Is.EqualTo(0), run.ToString());

        var program = Directory.GetFiles(Path.Combine(project, "bin"), "Titles.dll", SearchOption.AllDirectories).Single();
        using var serve = await Flow.Tests.Hosting.ServeProcess.StartAsync(args => TestProcess.StartProgram(program, project, null, args));
        await serve.WaitReadyAsync();
        Assert.That(await serve.Http.GetStringAsync("/show_data"), Is.EqualTo("{\"result\":3}"));
        Assert.That(serve.Terminate().Code, Is.EqualTo(0));
    }

    [Test]
    public void FlowVersionParameterPicksThePackageVersionAndTheClassIsAValidName()
    {
        var dir = Feed.ProjectFolder("template-parameter");

        var create = NewFlow(dir, "My.Flows", "--flow-version", "1.2.3", "--no-restore");

        Assert.That(create.Code, Is.EqualTo(0), create.ToString());
        var project = Path.Combine(dir, "My.Flows");
        Assert.That(PackageReferenceVersion(Path.Combine(project, "My.Flows.csproj")), Is.EqualTo("1.2.3"));
        var source = File.ReadAllText(Path.Combine(project, "My.Flows.cs"));
        Assert.That(source, Does.Contain("namespace My.Flows;"));
        Assert.That(source, Does.Contain("public partial class My_Flows : FlowSpec"));
        Assert.That(source, Does.Contain("JoinInputs<My_Flows>"));
    }

    [Test]
    public void SingleFileSampleNamesTheRepositorysVersionOfFlow()
    {
        var directives = PackageDirective.Matches(File.ReadAllText(HelloSample));

        Assert.That(directives.Select(m => m.Groups[1].Value), Is.EqualTo(new[] { LocalFeed.FlowVersion() }));
    }

    [Test]
    public void SingleFileSampleRunsWithThePackage()
    {
        var dir = Feed.ProjectFolder("hello");
        var source = PackageDirective.Replace(File.ReadAllText(HelloSample), $"#:package Flow@{Feed.Version}");
        File.WriteAllText(Path.Combine(dir, "hello.cs"), source);

        var run = TestProcess.RunDotNet(dir, Timeout, "run", "hello.cs", "--artifacts-path", Path.Combine(dir, "artifacts"), "--", "run");

        Assert.That(run.Code, Is.EqualTo(0), run.ToString());
        Assert.That(LocalFeed.Lines(run.Output), Has.Some.EndsWith("hello from Flow"), run.ToString());
    }

    /// <summary><c>dotnet new flow -n NAME</c> in a folder, with the test's template hive and no update check (no network).</summary>
    private ProcessResult NewFlow(string dir, string name, params string[] options) =>
        TestProcess.RunDotNet(dir, Timeout, ["new", "flow", "-n", name, .. options, "--no-update-check", "--debug:custom-hive", _hive]);

    private static string? PackageReferenceVersion(string project) =>
        XDocument.Load(project).Descendants("PackageReference").Single(e => e.Attribute("Include")?.Value == "Flow").Attribute("Version")?.Value;
}
