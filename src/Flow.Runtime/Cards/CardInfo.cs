namespace Flow.Cards;

/// <summary>One stored card: the task attempt it belongs to, its id, and the size of its HTML file in bytes.</summary>
/// <param name="Step">The task's step.</param>
/// <param name="TaskId">The task's id.</param>
/// <param name="Attempt">The attempt that wrote it (0 for the first try).</param>
/// <param name="Id">The card's id (<c>default</c> for the default card).</param>
/// <param name="Size">The HTML file's size in bytes.</param>
public sealed record CardInfo(string Step, long TaskId, int Attempt, string Id, long Size);
