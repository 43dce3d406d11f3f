namespace Flow.Execution;

/// <summary>The resources a running task holds, and whether it holds the process to itself.</summary>
internal sealed record Reservation(int Cpus, long MemoryMb, IReadOnlyList<int> Gpus, bool Alone);
