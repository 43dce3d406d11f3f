using System.Diagnostics;

namespace Flow.Deploy.Argo;

/// <summary>What <c>kubectl</c> said: its exit code, standard output and standard error.</summary>
internal sealed record KubectlResult(int ExitCode, string Output, string Error);

/// <summary>Applies the manifests that <c>deploy argo --apply</c> wrote, with <c>kubectl apply</c>, to the cluster of kubectl's current context.</summary>
internal static class Kubectl
{
    /// <summary>The kubectl used when <c>--kubectl</c> does not name another.</summary>
    public const string Default = "kubectl";

    /// <summary>
    /// The executable <paramref name="kubectl"/> names: a path (anything with a folder in it) as it is, a bare name looked
    /// up on PATH; null when there is no such file.
    /// </summary>
    public static string? Find(string kubectl)
    {
        if (kubectl.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || kubectl.Contains(Path.AltDirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(kubectl) ? Path.GetFullPath(kubectl) : null;
        }

        var names = OperatingSystem.IsWindows() && !kubectl.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? new[] { kubectl + ".exe", kubectl } : [kubectl];
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(folder => names.Select(name => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Runs <c>KUBECTL apply -f FILE ...</c>, one <c>-f</c> per file, and returns what it said.</summary>
    public static async Task<KubectlResult> ApplyAsync(string kubectl, IEnumerable<string> files, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("apply");
        foreach (var file in files)
        {
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add(file);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new FlowException($"{kubectl} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FlowException($"Cannot run {kubectl}: {e.Message}. Install kubectl (or name it with --kubectl PATH), or leave out --apply and apply the manifests yourself.", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return new KubectlResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
    }
}
