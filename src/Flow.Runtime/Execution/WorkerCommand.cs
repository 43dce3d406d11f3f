namespace Flow.Execution;

/// <summary>How to start a worker: this flow's program and the arguments that select the flow.</summary>
/// <param name="FileName">The program.</param>
/// <param name="Arguments">Arguments before the worker command (the assembly for <c>dotnet</c>, the flow name in a program with several).</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Arguments);
