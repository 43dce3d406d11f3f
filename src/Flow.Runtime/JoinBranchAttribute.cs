namespace Flow;

/// <summary>Marks a generated branch accessor of a join (<c>inputs.A()</c>) with the step it reads, so the analyzer can check it.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class JoinBranchAttribute : Attribute
{
    /// <summary>Marks an accessor of the branch from <paramref name="step"/>.</summary>
    public JoinBranchAttribute(string step) => Step = step;

    /// <summary>The step the branch comes from.</summary>
    public string Step { get; }
}
