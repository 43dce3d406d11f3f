namespace Flow.Tests.Infrastructure;

/// <summary>Where things are in this repository, found from the test assembly's folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Samples => Path.Combine(Root, "samples");

    public static string Configuration =>
        typeof(RepoPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";

    /// <summary>The built program of a sample (built before the tests, as a project reference).</summary>
    public static string SampleDll(string name) => Path.Combine(Samples, name, "bin", Configuration, "net10.0", name + ".dll");

    /// <summary>The test flows program (tests/Flow.TestFlows): several flows, the first argument names one.</summary>
    public static string TestFlowsDll => Path.Combine(Root, "tests", "Flow.TestFlows", "bin", Configuration, "net10.0", "Flow.TestFlows.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find Flow.sln above " + AppContext.BaseDirectory);
    }
}
