namespace Flow.Execution;

/// <summary>The resources a running task holds.</summary>
internal sealed record Reservation(int Cpus, long MemoryMb, IReadOnlyList<int> Gpus);
