using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Flow.Scripts;

namespace Flow;

/// <summary>
/// Runs a Python (<c>.py</c>) or R (<c>.R</c>) script from a step: passes it <c>inputs</c> and returns what it outputs,
/// typed. The script's stdout and stderr go to the task's logs, line by line. See docs/scripts.md.
/// </summary>
public static class Script
{
    /// <summary>The variable that names the Python interpreter (default <c>python3</c>).</summary>
    public const string PythonVariable = "FLOW_PYTHON";

    /// <summary>The variable that names R's script runner (default <c>Rscript</c>).</summary>
    public const string RscriptVariable = "FLOW_RSCRIPT";

    private const int TailLines = 12;

    // A line longer than this is cut in the exception's message (the task's log has it whole).
    private const int TailLineLength = 2000;

    // The cancellation token of the task whose step runs in this async flow: a script started there stops with the task.
    private static readonly AsyncLocal<CancellationToken> s_task = new();

    /// <summary>Until disposed, scripts started in this async flow are also killed when <paramref name="task"/> is cancelled.</summary>
    internal static IDisposable ForTask(CancellationToken task)
    {
        var previous = s_task.Value;
        s_task.Value = task;
        return new TaskScope(previous);
    }

    private sealed class TaskScope(CancellationToken previous) : IDisposable
    {
        public void Dispose() => s_task.Value = previous;
    }

    /// <summary>Runs the script with <paramref name="inputs"/> and returns its output as a <typeparamref name="T"/>.</summary>
    /// <param name="path">The script: absolute, or relative to the working directory or else to the program's folder.</param>
    /// <param name="inputs">What the script's <c>inputs</c> are: an object (anonymous, a record, a dictionary), or null for none.</param>
    /// <param name="cancellationToken">
    /// Kills the script (and what it started) when cancelled. In a step, the script is also killed when the task is
    /// stopped (<c>Current.CancellationToken</c>: its <c>[Timeout]</c> in process, the run's cancellation).
    /// </param>
    /// <exception cref="ScriptException">The script failed, wrote no output, or could not be found or started.</exception>
    public static T Run<T>(string path, object? inputs = null, CancellationToken cancellationToken = default) =>
        RunAsync<T>(path, inputs, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Runs the script with <paramref name="inputs"/> for its effects: an output is not needed (and not read).</summary>
    /// <inheritdoc cref="Run{T}(string, object?, CancellationToken)"/>
    public static void Run(string path, object? inputs = null, CancellationToken cancellationToken = default) =>
        RunAsync(path, inputs, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc cref="Run{T}(string, object?, CancellationToken)"/>
    public static async Task<T> RunAsync<T>(string path, object? inputs = null, CancellationToken cancellationToken = default)
    {
        var (script, result) = await RunCoreAsync(path, inputs, (exchange, output) => ScriptJson.Read<T>(exchange, output), typeof(T), cancellationToken).ConfigureAwait(false);
        return result is T typed ? typed : throw new ScriptException($"Script {script} output null; {typeof(T).Name} was expected.", script);
    }

    /// <inheritdoc cref="Run(string, object?, CancellationToken)"/>
    public static async Task RunAsync(string path, object? inputs = null, CancellationToken cancellationToken = default) =>
        await RunCoreAsync(path, inputs, null, typeof(object), cancellationToken).ConfigureAwait(false);

    private static async Task<(string Script, object? Result)> RunCoreAsync(string path, object? inputs, Func<ScriptExchange, string, object?>? read, Type type, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var linked = s_task.Value.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, s_task.Value) : null;
        cancellationToken = linked?.Token ?? cancellationToken;
        var language = LanguageOf(path);
        var script = Resolve(path);
        cancellationToken.ThrowIfCancellationRequested();

        var folder = Directory.CreateTempSubdirectory("flow-script-").FullName;
        try
        {
            var exchange = new ScriptExchange(folder, singleValuesAsCollections: language == Language.R);
            var inputPath = Path.Combine(folder, "inputs.json");
            var outputPath = Path.Combine(folder, "output.json");
            try
            {
                ScriptJson.Write(exchange, inputPath, inputs);
            }
            catch (Exception e) when (e is NotSupportedException or System.Text.Json.JsonException or InvalidOperationException)
            {
                throw new ScriptException($"The inputs of script {script} cannot be passed to it: {e.Message}", script, e);
            }

            await RunProcessAsync(language, script, folder, cancellationToken).ConfigureAwait(false);
            if (!File.Exists(outputPath))
            {
                if (read is null)
                {
                    return (script, null);
                }

                throw new ScriptException(
                    $"Script {script} finished without an output; it must end by passing its result to {(language == Language.Python ? "output(...) (from flow_script import output)" : "flow_output(...) (after source(file.path(Sys.getenv(\"FLOW_SCRIPT_LIB\"), \"flow_script.R\")))")}.",
                    script,
                    0);
            }

            if (read is null)
            {
                return (script, null);
            }

            try
            {
                return (script, read(exchange, outputPath));
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException or FormatException)
            {
                throw new ScriptException($"The output of script {script} cannot be read as {type.Name}: {e.Message}", script, e);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file the script still holds (or made read-only): the temporary folder stays behind.
            }
        }
    }

    private enum Language
    {
        Python,
        R,
    }

    private static Language LanguageOf(string path) => Path.GetExtension(path) switch
    {
        ".py" => Language.Python,
        ".R" or ".r" => Language.R,
        var other => throw new ScriptException($"Script.Run runs Python (.py) and R (.R) scripts; '{path}' is neither{(other.Length == 0 ? "" : $" ({other})")}.", path),
    };

    /// <summary>The script's full path: as given when absolute, else under the working directory, else under the program's folder.</summary>
    internal static string Resolve(string path)
    {
        var tried = Candidates(path);
        return tried.FirstOrDefault(File.Exists)
            ?? throw new ScriptException($"Script '{path}' was not found; tried {string.Join(", ", tried)}. (A script in the project is found beside the program when copied to the output: <None Include=\"{Path.GetFileName(path)}\" CopyToOutputDirectory=\"PreserveNewest\" />.)", path);
    }

    /// <summary>Where <see cref="Resolve"/> looks for <paramref name="path"/>, in order: itself when absolute, else under the working directory, then under the program's folder.</summary>
    internal static IReadOnlyList<string> Candidates(string path) =>
        Path.IsPathFullyQualified(path)
            ? [path]
            : new[] { Path.GetFullPath(path), Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path)) }.Distinct(StringComparer.Ordinal).ToList();

    private static async Task RunProcessAsync(Language language, string script, string folder, CancellationToken cancellationToken)
    {
        var (variable, fallback) = language == Language.Python ? (PythonVariable, "python3") : (RscriptVariable, "Rscript");
        var configured = Environment.GetEnvironmentVariable(variable);
        var interpreter = string.IsNullOrWhiteSpace(configured) ? fallback : configured;
        var lib = Helpers.Folder;

        var start = new ProcessStartInfo(interpreter)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add(script);
        start.Environment["FLOW_SCRIPT_DIR"] = folder;
        start.Environment["FLOW_SCRIPT_LIB"] = lib;
        if (language == Language.Python)
        {
            var existing = Environment.GetEnvironmentVariable("PYTHONPATH");
            start.Environment["PYTHONPATH"] = string.IsNullOrEmpty(existing) ? lib : lib + Path.PathSeparator + existing;
            start.Environment["PYTHONUNBUFFERED"] = "1";
            start.Environment["PYTHONIOENCODING"] = "utf-8";
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            var install = language == Language.Python
                ? "install Python (apt-get install -y python3) or set FLOW_PYTHON to an interpreter"
                : "install R and jsonlite (apt-get install -y r-base-core r-cran-jsonlite) or set FLOW_RSCRIPT to Rscript";
            var source = string.IsNullOrWhiteSpace(configured) ? $"{variable} is not set, so {fallback} on PATH" : $"from {variable}";
            throw new ScriptException($"Cannot run script {script}: the command '{interpreter}' ({source}) could not be started: {e.Message}. To run {(language == Language.Python ? "Python" : "R")} scripts, {install}.", script, e);
        }

        process.StandardInput.Close();
        var tail = new Queue<string>();

        // The readers run in the step's context, so what they write goes to the task's logs.
        var stdout = Console.Out;
        var stderr = Console.Error;
        var pumpOut = Task.Run(() => PumpAsync(process.StandardOutput, stdout, null));
        var pumpError = Task.Run(() => PumpAsync(process.StandardError, stderr, tail));
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited just now.
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await OutputDoneAsync(pumpOut, pumpError, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await OutputDoneAsync(pumpOut, pumpError, cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            string lines;
            lock (tail)
            {
                lines = string.Join("\n", tail);
            }

            var said = lines.Length == 0 ? " (it wrote nothing to stderr)" : ":\n" + lines;
            throw new ScriptException($"Script {script} failed with exit code {process.ExitCode}{said}", script, process.ExitCode, lines);
        }
    }

    private static async Task PumpAsync(StreamReader reader, TextWriter writer, Queue<string>? tail)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            writer.WriteLine(line);
            if (tail is not null && line.Length > 0)
            {
                lock (tail)
                {
                    tail.Enqueue(line.Length <= TailLineLength ? line : line[..TailLineLength] + " [...]");
                    if (tail.Count > TailLines)
                    {
                        tail.Dequeue();
                    }
                }
            }
        }
    }

    /// <summary>
    /// Waits for the script's output to be read to its end. A process the script started may still hold its output open
    /// after it exited (a daemon, a worker pool): its output is not waited for longer than a few seconds, nor past a
    /// cancellation.
    /// </summary>
    private static async Task OutputDoneAsync(Task pumpOut, Task pumpError, CancellationToken cancellationToken)
    {
        var both = Task.WhenAll(pumpOut, pumpError);
        try
        {
            await both.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // What was read is kept; the rest belongs to whatever outlived the script.
        }
    }

    /// <summary>
    /// The helpers (<c>flow_script.py</c>, <c>flow_script.R</c>), embedded in this assembly and written out once per
    /// process, to a temporary folder of its own that only its user can write.
    /// </summary>
    internal static class Helpers
    {
        private static readonly Lazy<string> s_folder = new(WriteOut, LazyThreadSafetyMode.ExecutionAndPublication);

        public static string Folder => s_folder.Value;

        private static readonly string[] s_names = ["flow_script.py", "flow_script.R"];

        private static string WriteOut()
        {
            var assembly = typeof(Script).Assembly;
            var contents = s_names.Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream("Flow.Scripts." + name)
                    ?? throw new InvalidOperationException($"The script helper {name} is missing from {assembly.GetName().Name}.");
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                return memory.ToArray();
            }).ToArray();
            // A folder of this process's own, made with owner-only permissions: a shared, predictably named one could be made
            // first by another user of the machine, who would then put code of theirs on PYTHONPATH. Removed at exit.
            var folder = Directory.CreateTempSubdirectory("flow-script-lib-").FullName;
            for (var i = 0; i < s_names.Length; i++)
            {
                File.WriteAllBytes(Path.Combine(folder, s_names[i]), contents[i]);
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // A script still running holds it; the OS's temporary folder is cleaned in time.
                }
                catch (UnauthorizedAccessException)
                {
                }
            };

            return folder;
        }
    }
}
