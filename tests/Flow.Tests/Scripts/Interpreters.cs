using System.Diagnostics;
using Flow.Tests.Infrastructure;

namespace Flow.Tests.Scripts;

/// <summary>
/// The interpreters the script tests run, chosen the same way on every machine: FLOW_TEST_PYTHON, else Debian's
/// /usr/bin/python3 (not a pyenv shim earlier on PATH, whose packages differ), else python3 on PATH; FLOW_TEST_RSCRIPT,
/// else /usr/bin/Rscript, else Rscript on PATH. A missing one fails under CI and skips the test elsewhere.
/// </summary>
internal static class Interpreters
{
    private static readonly Lazy<string?> s_python = new(() => Find("FLOW_TEST_PYTHON", "/usr/bin/python3", "python3", "-c", "import json, array"));
    private static readonly Lazy<string?> s_rscript = new(() => Find("FLOW_TEST_RSCRIPT", "/usr/bin/Rscript", "Rscript", "-e", "library(jsonlite)"));
    private static readonly Lazy<bool> s_numpy = new(() => s_python.Value is { } python && Works(python, "-c", "import numpy"));
    private static readonly Lazy<bool> s_sklearn = new(() => s_python.Value is { } python && Works(python, "-c", "import sklearn"));

    public static string Python => s_python.Value ?? Missing("Python 3 is needed for the script tests: install it with apt-get install -y python3 (or set FLOW_TEST_PYTHON).");

    public static string Rscript => s_rscript.Value ?? Missing("R with jsonlite is needed for the script tests: install it with apt-get install -y r-base-core r-cran-jsonlite (or set FLOW_TEST_RSCRIPT).");

    private static string Missing(string message)
    {
        Ci.Missing(message);
        return "";
    }

    /// <summary>The test Python, which must have scikit-learn (the TitleModels sample's scoring step).</summary>
    public static string PythonWithScikitLearn
    {
        get
        {
            var python = Python;
            if (!s_sklearn.Value)
            {
                Ci.Missing("scikit-learn is needed for the TitleModels sample's scoring step: install it with apt-get install -y python3-sklearn.");
            }

            return python;
        }
    }

    /// <summary>Checks that the test Python has numpy (the path of arrays as numpy arrays).</summary>
    public static void RequireNumpy()
    {
        _ = Python;
        if (!s_numpy.Value)
        {
            Ci.Missing("numpy is needed for this test: install it with apt-get install -y python3-numpy.");
        }
    }

    private static string? Find(string variable, string debian, string onPath, string flag, string check)
    {
        var candidates = new[] { Environment.GetEnvironmentVariable(variable), File.Exists(debian) ? debian : null, onPath };
        foreach (var candidate in candidates)
        {
            if (!string.IsNullOrWhiteSpace(candidate) && Works(candidate, flag, check))
            {
                return candidate;
            }

            if (!string.IsNullOrWhiteSpace(candidate) && candidate == Environment.GetEnvironmentVariable(variable))
            {
                return null;
            }
        }

        return null;
    }

    private static bool Works(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
