using System.Text.RegularExpressions;
using System.Xml.Linq;
using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Packaging;

/// <summary>
/// A temporary folder with a local NuGet feed that this repository's packages are packed into, under a version
/// never used before (so that no NuGet cache can serve an older build), and folders for projects that use them
/// as a user's would: nothing from an enclosing folder's MSBuild setup reaches them, and their nuget.config puts
/// the feed before nuget.org. Disposing it deletes the folder and the packages' copies in the NuGet cache.
/// </summary>
public sealed class LocalFeed : IDisposable
{
    // Restores and first builds are slow on a cold machine; a hung command is killed after this.
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly List<string> _packed = [];

    private LocalFeed(string root)
    {
        Root = root;
        Feed = Path.Combine(root, "feed");
        Version = $"{FlowVersion()}-test.{DateTime.UtcNow:yyyyMMddHHmmss}.p{Environment.ProcessId}";
    }

    /// <summary>The temporary folder that holds everything.</summary>
    public string Root { get; }

    /// <summary>The feed folder, with the packed .nupkg files.</summary>
    public string Feed { get; }

    /// <summary>The version every package is packed under.</summary>
    public string Version { get; }

    /// <summary>The version of Flow this repository builds (<c>FlowVersion</c> in Directory.Build.props).</summary>
    public static string FlowVersion() =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props")).Descendants("FlowVersion").Single().Value;

    /// <summary>A new, empty feed in a new temporary folder (needs the dotnet CLI: ignores or fails the fixture without it).</summary>
    public static LocalFeed Create(string name)
    {
        TestProcess.RequireDotNet();
        var feed = new LocalFeed(Directory.CreateTempSubdirectory($"flow-{name}-").FullName);
        // The projects below stand alone, as a user's do: no MSBuild setup of an enclosing folder reaches them.
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(feed.Root, file), "<Project />\n");
        }

        return feed;
    }

    /// <summary>Packs a project of this repository (path relative to its root) into the feed; returns the package's path.</summary>
    public string Pack(string project, string packageId)
    {
        var pack = TestProcess.RunDotNet(
            RepoPaths.Root,
            Timeout,
            "pack", Path.Combine(RepoPaths.Root, project), "-o", Feed, $"-p:PackageVersion={Version}");
        var package = Path.Combine(Feed, $"{packageId}.{Version}.nupkg");
        _packed.Add(packageId);
        Assert.That(pack.Code, Is.EqualTo(0), pack.ToString());
        Assert.That(File.Exists(package), Is.True, $"{package} was not created.\n{pack}");
        return package;
    }

    /// <summary>A new folder under the root whose nuget.config puts the local feed before nuget.org.</summary>
    public string ProjectFolder(string name)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Root, name)).FullName;
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="flow-local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        return dir;
    }

    public void Dispose()
    {
        var locals = TestProcess.RunDotNet(Root, Timeout, "nuget", "locals", "global-packages", "--list");
        var globalPackages = Regex.Match(locals.Output, @"global-packages:\s*(.+)").Groups[1].Value.Trim();
        foreach (var id in _packed)
        {
            var cached = Path.Combine(globalPackages, id.ToLowerInvariant(), Version.ToLowerInvariant());
            if (globalPackages.Length > 0 && Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }

        Directory.Delete(Root, recursive: true);
    }

    /// <summary>The lines of a command's output, trimmed.</summary>
    public static IEnumerable<string> Lines(string output) => output.Split('\n').Select(l => l.Trim());
}
