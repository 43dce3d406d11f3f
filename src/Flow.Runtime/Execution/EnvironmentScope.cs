namespace Flow.Execution;

/// <summary>Sets a task's environment variables in this process, and puts back what was there when disposed.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly List<(string Name, string? Value)> _saved = [];

    private EnvironmentScope(IReadOnlyDictionary<string, string> variables)
    {
        foreach (var (name, value) in variables)
        {
            _saved.Add((name, System.Environment.GetEnvironmentVariable(name)));
            System.Environment.SetEnvironmentVariable(name, value);
        }
    }

    public static EnvironmentScope Set(IReadOnlyDictionary<string, string> variables) => new(variables);

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            System.Environment.SetEnvironmentVariable(name, value);
        }

        _saved.Clear();
    }
}
