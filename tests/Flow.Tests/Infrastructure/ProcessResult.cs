namespace Flow.Tests.Infrastructure;

/// <summary>What a program printed and how it exited; its text is the whole story, for assertion messages.</summary>
public sealed record ProcessResult(string Command, string WorkingDirectory, int Code, string Output, string Error, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"`{Command}` in {WorkingDirectory}\nexit code {Code} after {Elapsed.TotalSeconds:0.0} s\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}
