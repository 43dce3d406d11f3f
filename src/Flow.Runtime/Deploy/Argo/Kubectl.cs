using Flow.Execution;

namespace Flow.Deploy.Argo;

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
    public static Task<CommandOutput> ApplyAsync(string kubectl, IEnumerable<string> files, CancellationToken cancellationToken) =>
        ExternalCommand.RunAsync(
            kubectl,
            ["apply", .. files.SelectMany(file => new[] { "-f", file })],
            "Install kubectl (or name it with --kubectl PATH), or leave out --apply and apply the manifests yourself.",
            cancellationToken);
}
