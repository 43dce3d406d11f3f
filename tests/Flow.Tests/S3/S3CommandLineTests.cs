using System.Text.RegularExpressions;
using Flow.Tests.Infrastructure;
using Flow.Tests.Reliability;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>
/// A sample program on S3 as users run it: configured only by environment variables on one machine,
/// and by the config file on another (a different working directory and home, sharing nothing local).
/// </summary>
public class S3CommandLineTests
{
    private static MotoServer Moto => MotoServer.Current;

    private readonly List<string> _folders = [];

    [TearDown]
    public void DeleteFolders()
    {
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }

        _folders.Clear();
    }

    [Test]
    public void ARunFailsOnOneMachineAndIsResumedAndInspectedFromAnother()
    {
        var root = $"s3://{MotoServer.Bucket}/cli-{Guid.NewGuid():N}";
        var dll = RepoPaths.SampleDll("ResumeFlow");

        var first = Folder("flow-s3-first-");
        var firstEnvironment = Moto.AwsEnvironment();
        firstEnvironment["FLOW_DATASTORE_ROOT"] = root;
        var failed = TestProcess.RunProgram(dll, first, firstEnvironment, "run");
        Assert.That(failed.Code, Is.EqualTo(1), failed.ToString());
        var origin = Regex.Match(failed.Error, @"run (\S+) started").Groups[1].Value;
        Assert.That(origin, Is.Not.Empty, failed.ToString());

        // The other machine: its own home with the config file, the AWS settings, and nothing else.
        var second = Folder("flow-s3-second-");
        var home = Path.Combine(second, "home");
        Directory.CreateDirectory(Path.Combine(home, ".flowconfig"));
        File.WriteAllText(Path.Combine(home, ".flowconfig", "config.json"), $$"""{ "FLOW_DATASTORE": "s3", "FLOW_DATASTORE_ROOT": "{{root}}" }""");
        var work = Path.Combine(second, "work");
        Directory.CreateDirectory(work);
        var secondEnvironment = Moto.AwsEnvironment();
        secondEnvironment["HOME"] = home;
        ProcessResult Second(params string[] args) => TestProcess.RunProgram(dll, work, secondEnvironment, args);

        secondEnvironment["FLOW_RESUME_FIXED"] = "1";
        var resumed = Second("resume", "Join", "--origin-run-id", origin, "--tag", "fixed");
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output.Split('\n').Select(l => l.Trim()), Has.Some.EndsWith("out = 3"), resumed.ToString());
        Assert.That(resumed.Error, Does.Contain($"3 cloned from run {origin}"), resumed.ToString());
        var resumedId = Regex.Match(resumed.Error, @"run (\S+) resumes").Groups[1].Value;

        var runs = Second("runs");
        Assert.That(runs.Code, Is.EqualTo(0), runs.ToString());
        Assert.That(runs.Output, Does.Contain(resumedId).And.Contain(origin), runs.ToString());

        var logs = Second("logs", $"{resumedId}/End");
        Assert.That(logs.Code, Is.EqualTo(0), logs.ToString());
        Assert.That(logs.Output, Does.Contain("out = 3"), logs.ToString());

        var tagged = Second("tag", "add", resumedId, "shared");
        Assert.That(tagged.Code, Is.EqualTo(0), tagged.ToString());
        var tags = TestProcess.RunProgram(dll, first, firstEnvironment, "tag", "list", resumedId);
        Assert.That(tags.Code, Is.EqualTo(0), tags.ToString());
        Assert.That(tags.Output, Does.Contain("fixed").And.Contain("shared"), tags.ToString());

        var dump = TestProcess.RunProgram(dll, first, firstEnvironment, "dump", resumedId);
        Assert.That(dump.Code, Is.EqualTo(0), dump.ToString());
        Assert.That(dump.Output, Does.Contain("Out"), dump.ToString());

        Assert.That(Directory.Exists(Path.Combine(first, ".flow")) || Directory.Exists(Path.Combine(work, ".flow")), Is.False, "nothing is stored locally");
        foreach (var output in new[] { failed, resumed, runs, logs, tagged, tags, dump })
        {
            Assert.That(output.Output + output.Error, Does.Not.Contain(MotoServer.SecretKey).And.Not.Contain(MotoServer.AccessKey));
        }
    }

    [Test]
    public void TheDatastoreOptionNeedsAnS3Root()
    {
        var work = Folder("flow-s3-none-");
        var environment = Moto.AwsEnvironment();
        environment["HOME"] = work;
        var result = TestProcess.RunProgram(RepoPaths.SampleDll("BranchFlow"), work, environment, "run", "--datastore", "s3");
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("has no root").And.Contain("s3://BUCKET/PREFIX"), result.ToString());
    }

    private string Folder(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        _folders.Add(folder);
        return folder;
    }
}
