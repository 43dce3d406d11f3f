using System.Diagnostics;

namespace Flow.Execution;

/// <summary>What a program that Flow ran said: its exit code, standard output and standard error.</summary>
internal sealed record CommandOutput(int ExitCode, string Output, string Error)
{
    /// <summary>What to show of it: its standard error, else its standard output.</summary>
    public string Message => (Error.Trim().Length > 0 ? Error : Output).Trim();
}

/// <summary>Runs another program (Slurm's commands, kubectl) to its end and captures what it said.</summary>
internal static class ExternalCommand
{
    /// <summary>
    /// Runs <paramref name="tool"/> with <paramref name="arguments"/>; a cancellation kills it and what it started. A
    /// tool that cannot be started is a <see cref="FlowException"/> that ends with <paramref name="whenMissing"/>.
    /// </summary>
    public static async Task<CommandOutput> RunAsync(string tool, IEnumerable<string> arguments, string whenMissing, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new FlowException($"{tool} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FlowException($"Cannot run {tool}: {e.Message}. {whenMissing}", e);
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

            return new CommandOutput(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
    }
}
