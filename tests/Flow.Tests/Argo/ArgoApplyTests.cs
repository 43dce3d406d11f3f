using NUnit.Framework;

namespace Flow.Tests.Argo;

/// <summary>
/// <c>deploy argo --apply</c>: the manifests written, then given to <c>kubectl apply</c>. A fake kubectl, a shell script
/// first on PATH, records its arguments and the content of each file it is given, and answers as kubectl does (or
/// fails, when told to).
/// </summary>
[Platform(Exclude = "Win", Reason = "the fake kubectl is a shell script")]
public class ArgoApplyTests
{
    private const string FakeKubectl = """
        #!/bin/sh
        printf '%s\n' "$@" > "$KUBECTL_FAKE_LOG/args"
        : > "$KUBECTL_FAKE_LOG/contents"
        previous=""
        for argument in "$@"; do
          if [ "$previous" = "-f" ]; then
            cat "$argument" >> "$KUBECTL_FAKE_LOG/contents"
          fi
          previous="$argument"
        done
        if [ -n "$KUBECTL_FAKE_FAIL" ]; then
          echo "error: unable to connect to the server: dial tcp 10.0.0.1:6443: connection refused" >&2
          exit "$KUBECTL_FAKE_FAIL"
        fi
        echo "workflowtemplate.argoproj.io/applied configured"
        """;

    private string _work = "";
    private string _bin = "";
    private string _log = "";

    [SetUp]
    public void CreateWork()
    {
        _work = Directory.CreateTempSubdirectory("flow-argo-apply-").FullName;
        _bin = Directory.CreateDirectory(Path.Combine(_work, "bin")).FullName;
        _log = Directory.CreateDirectory(Path.Combine(_work, "log")).FullName;
        WriteScript(Path.Combine(_bin, "kubectl"));
    }

    [TearDown]
    public void DeleteWork() => Directory.Delete(_work, recursive: true);

    [Test]
    public void TheManifestsWrittenAreAppliedWithKubectl()
    {
        var folder = Path.Combine(_work, "deploy");
        var result = ArgoDeploy.Run("ChoiceFlow", _work, Environment(), "--image", "app:1", "--output", folder, "--apply");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        var files = new[] { Path.Combine(folder, "choiceflow.workflowtemplate.yaml"), Path.Combine(folder, "choiceflow.cronworkflow.yaml") };
        Assert.That(Recorded("args"), Is.EqualTo(new[] { "apply", "-f", files[0], "-f", files[1] }), "one -f for each file written, the WorkflowTemplate first");
        Assert.That(File.ReadAllText(Path.Combine(_log, "contents")), Is.EqualTo(File.ReadAllText(files[0]) + File.ReadAllText(files[1])), "kubectl read the files as written");
        Assert.That(result.Output, Does.Contain("Wrote WorkflowTemplate choiceflow").And.Contain("workflowtemplate.argoproj.io/applied configured"), "kubectl's output passes through");
    }

    [Test]
    public void KubectlFailingFailsTheDeployWithItsErrorAndExitCode()
    {
        var environment = Environment();
        environment["KUBECTL_FAKE_FAIL"] = "7";
        var folder = Path.Combine(_work, "deploy");
        var result = ArgoDeploy.Run("BranchFlow", _work, environment, "--image", "app:1", "--output", folder, "--apply");
        Assert.That(result.Code, Is.EqualTo(7), result.ToString());
        Assert.That(result.Error, Does.Contain("unable to connect to the server: dial tcp 10.0.0.1:6443: connection refused"), result.ToString());
        Assert.That(result.Error, Does.Contain("apply failed with exit code 7").And.Contain($"The manifests are written in {folder}"), result.ToString());
        Assert.That(File.Exists(Path.Combine(folder, "branchflow.workflowtemplate.yaml")), Is.True, "what was written stays, to apply later");
    }

    [Test]
    public void WithoutKubectlOnThePathApplyIsRefusedBeforeAnythingIsWritten()
    {
        var environment = Environment();
        environment["PATH"] = Directory.CreateDirectory(Path.Combine(_work, "empty")).FullName;
        var folder = Path.Combine(_work, "deploy");
        var result = ArgoDeploy.Run("BranchFlow", _work, environment, "--image", "app:1", "--output", folder, "--apply");
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("there is no kubectl on PATH").And.Contain("Install kubectl").And.Contain("leave out --apply"), result.ToString());
        Assert.That(Directory.Exists(folder), Is.False, "nothing written");
    }

    [Test]
    public void KubectlNamesTheBinaryToRun()
    {
        var other = Path.Combine(Directory.CreateDirectory(Path.Combine(_work, "tools")).FullName, "kubectl-1.31");
        WriteScript(other);
        var environment = Environment();
        environment["PATH"] = Directory.CreateDirectory(Path.Combine(_work, "empty")).FullName;
        var folder = Path.Combine(_work, "deploy");
        var result = ArgoDeploy.Run("BranchFlow", _work, environment, "--image", "app:1", "--output", folder, "--apply", "--kubectl", other);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(Recorded("args"), Is.EqualTo(new[] { "apply", "-f", Path.Combine(folder, "branchflow.workflowtemplate.yaml") }));

        var missing = ArgoDeploy.Run("BranchFlow", _work, environment, "--image", "app:1", "--output", folder, "--apply", "--kubectl", Path.Combine(_work, "tools", "nope"));
        Assert.That(missing.Code, Is.EqualTo(2), missing.ToString());
        Assert.That(missing.Error, Does.Contain($"there is no {Path.Combine(_work, "tools", "nope")}").And.Contain("Install kubectl"), missing.ToString());
    }

    [TestCase(new[] { "--apply" }, "deploy argo --apply needs --output DIR")]
    [TestCase(new[] { "--apply", "--output", "-" }, "deploy argo --apply needs --output DIR")]
    [TestCase(new[] { "--kubectl", "kubectl" }, "--kubectl names the kubectl that --apply runs")]
    public void ApplyWithoutAFolderIsAUsageError(string[] args, string message)
    {
        var result = ArgoDeploy.Run("BranchFlow", _work, Environment(), ["--image", "app:1", .. args]);
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain(message), result.ToString());
        Assert.That(result.Output, Is.Empty);
        Assert.That(File.Exists(Path.Combine(_log, "args")), Is.False, "kubectl did not run");
    }

    [Test]
    public void OutputDashIsStandardOutput()
    {
        var result = ArgoDeploy.Run("BranchFlow", _work, Environment(), "--image", "app:1", "--output", "-");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(ArgoSchema.Errors(result.Output, "WorkflowTemplate"), Is.Empty, result.Output);
        Assert.That(Directory.Exists(Path.Combine(_work, "-")), Is.False);
    }

    private Dictionary<string, string> Environment()
    {
        var environment = ArgoDeploy.Environment();
        environment["PATH"] = _bin + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");
        environment["KUBECTL_FAKE_LOG"] = _log;
        return environment;
    }

    private string[] Recorded(string file) => File.ReadAllLines(Path.Combine(_log, file));

    private static void WriteScript(string path)
    {
        File.WriteAllText(path, FakeKubectl.ReplaceLineEndings("\n") + "\n");
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("the fake kubectl is a shell script");
            return;
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
