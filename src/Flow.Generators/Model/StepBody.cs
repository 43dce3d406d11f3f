using System.Collections.Generic;
using System.Collections.Immutable;

namespace Flow.Generators.Model;

/// <summary>One target of a <c>Next</c> call: the step it names (null when it is not a method group of this flow) and where.</summary>
internal sealed record NextTarget(string? Step, string Text, LocationInfo? Location);

/// <summary>One <c>Next(...)</c> call in a step body.</summary>
internal sealed record NextCall(LocationInfo? Location, ImmutableArray<NextTarget> Targets);

/// <summary>A use of an artifact (or a branch) at a place in a step body.</summary>
internal sealed record NamedUse(string Name, LocationInfo? Location);

/// <summary>
/// What a step body does, as far as the generated code and the rules care. The first group is what
/// <see cref="StepBodyReader.ReadNames"/> finds; the second, what holds path by path, is filled by
/// <see cref="StepBodyReader.ReadPaths"/> and only the analyzer reads it.
/// </summary>
internal sealed class StepBody
{
    /// <summary>The Next calls, in source order, leaving out those in lambdas and local functions.</summary>
    public List<NextCall> NextCalls { get; } = new();

    /// <summary>Next called inside a lambda or local function ("a lambda", ...).</summary>
    public List<NamedUse> NestedNext { get; } = new();

    /// <summary>Every write of an artifact.</summary>
    public List<NamedUse> Writes { get; } = new();

    /// <summary>Whether the body calls MergeArtifacts.</summary>
    public bool MergesArtifacts { get; set; }

    /// <summary>Artifacts that a MergeArtifacts call excludes by name.</summary>
    public HashSet<string> MergeExcluded { get; } = new();

    /// <summary>Generated branch accessors used (<c>inputs.A()</c>).</summary>
    public List<NamedUse> BranchReads { get; } = new();

    /// <summary>
    /// The artifacts the body names (read or written), so that a task restores only those; null when the body may
    /// reach artifacts some other way: a call to a method, a non-artifact property or a field of the flow,
    /// <c>this</c> passed on, or MergeArtifacts.
    /// </summary>
    public HashSet<string>? Uses { get; set; } = new();

    /// <summary>Some path from entry to a normal exit calls no Next.</summary>
    public bool CanMissNext { get; set; }

    /// <summary>A Next call that some path reaches after another Next.</summary>
    public LocationInfo? RepeatedNext { get; set; }

    /// <summary>Reads of artifacts that the body has not definitely written before them.</summary>
    public List<NamedUse> UnsafeReads { get; } = new();

    /// <summary>Reads of artifacts not written by the body but after a MergeArtifacts call on every path, which may have set them.</summary>
    public List<NamedUse> MergedReads { get; } = new();

    /// <summary>Artifacts written on every path to the exit.</summary>
    public HashSet<string> WrittenAtExit { get; } = new();
}
