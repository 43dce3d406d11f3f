using System.Diagnostics;
using System.Text;
using NUnit.Framework;

namespace Flow.Tests.Packaging;

/// <summary>What a <c>dotnet</c> command printed (stdout and stderr, interleaved) and how it exited.</summary>
public sealed record CommandResult(string Command, string WorkingDirectory, int ExitCode, string Output)
{
    public override string ToString() => $"`{Command}` in {WorkingDirectory} exited with {ExitCode}:\n{Output}";
}

/// <summary>Runs the <c>dotnet</c> CLI as a user would, in a given folder, with a time limit.</summary>
public static class DotNetCli
{
    /// <summary>The <c>dotnet</c> executable: the one running these tests, else the first on PATH; null when there is none.</summary>
    public static string? Executable { get; } = Find();

    /// <summary>Ignores the calling fixture when there is no <c>dotnet</c>, except under CI, where it fails.</summary>
    public static void Require()
    {
        if (Executable is not null)
        {
            return;
        }

        const string message = "No dotnet CLI found (DOTNET_HOST_PATH is unset and none is on PATH); the package tests need it to pack Flow and to build projects that use it.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
    }

    public static CommandResult Run(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var command = "dotnet " + string.Join(' ', args);
        var start = new ProcessStartInfo(Executable ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Under `dotnet test` these point at the SDK running the tests; the child picks its own, as a user's shell would.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        // No build nodes outlive the command.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var output = new StringBuilder();
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"`{command}` in {workingDirectory} did not finish in {timeout.TotalMinutes} minutes and was killed with its child processes. Its output:\n{Text(output)}");
        }

        // Waits until the redirected output is fully read.
        process.WaitForExit();
        return new CommandResult(command, workingDirectory, process.ExitCode, Text(output));
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string? Find()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }
}
