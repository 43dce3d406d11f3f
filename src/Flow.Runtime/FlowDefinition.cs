using Flow.Execution;
using Flow.Graph;
using Flow.Serialization;

namespace Flow;

/// <summary>Implemented by the generator on every valid flow: gives the runtime the flow's definition.</summary>
public interface IFlowDefinitionProvider<TFlow>
    where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow>
{
    /// <summary>The flow's generated definition.</summary>
    static abstract FlowDefinition<TFlow> Definition { get; }
}

/// <summary>What the runtime knows of a flow: its graph and how to create, run and persist it.</summary>
public abstract class FlowDefinition
{
    private protected FlowDefinition(FlowGraph graph) => Graph = graph;

    /// <summary>The flow's static graph.</summary>
    public FlowGraph Graph { get; }

    /// <summary>The flow's artifacts, parameters included.</summary>
    public abstract IReadOnlyList<ArtifactAccessor> Artifacts { get; }

    internal abstract FlowSpec CreateInstance();

    internal abstract void RunStep(FlowSpec flow, string step, StepInvocation invocation);

    internal abstract IReadOnlyList<ArtifactValue> SplitForeach(FlowSpec flow, string step);

    /// <summary>Sets every artifact of <paramref name="values"/> on an instance; returns the values set, by name.</summary>
    internal Dictionary<string, object?> RestoreAll(FlowSpec flow, IReadOnlyDictionary<string, ArtifactValue> values, string what)
    {
        var restored = new Dictionary<string, object?>(values.Count, StringComparer.Ordinal);
        foreach (var accessor in Artifacts)
        {
            if (values.TryGetValue(accessor.Name, out var value))
            {
                restored[accessor.Name] = accessor.RestoreBoxed(flow, value, $"artifact {accessor.Name} of {what}");
            }
        }

        return restored;
    }

    /// <summary>
    /// The artifacts a task has after its step ran: what it inherited, what it set, and everything not at its
    /// default. An inherited value the step left alone keeps its stored form, without being serialized again.
    /// </summary>
    /// <remarks>
    /// Artifacts <paramref name="passedOn"/> names are left out: inherited ones the step cannot touch, which were
    /// not restored and which the caller keeps in their stored form.
    /// </remarks>
    internal Dictionary<string, ArtifactValue> Capture(
        FlowSpec flow,
        IReadOnlyDictionary<string, ArtifactValue> inherited,
        IReadOnlyDictionary<string, object?> restored,
        IReadOnlySet<string> assigned,
        Func<string, bool>? passedOn = null)
    {
        var result = new Dictionary<string, ArtifactValue>(StringComparer.Ordinal);
        foreach (var accessor in Artifacts)
        {
            if (passedOn is not null && passedOn(accessor.Name))
            {
                continue;
            }

            var had = inherited.TryGetValue(accessor.Name, out var before);
            if (!had && !assigned.Contains(accessor.Name) && accessor.IsDefaultBoxed(flow))
            {
                continue;
            }

            if (before is not null && restored.TryGetValue(accessor.Name, out var original) && accessor.IsUnchanged(flow, original, before))
            {
                result[accessor.Name] = before;
                continue;
            }

            var value = accessor.CaptureBoxed(flow);
            result[accessor.Name] = before is not null && string.Equals(before.Hash, value.Hash, StringComparison.Ordinal) ? before : value;
        }

        return result;
    }
}

/// <summary>The generated definition of one flow type.</summary>
public abstract class FlowDefinition<TFlow> : FlowDefinition
    where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow>
{
    /// <summary>Creates the definition for a graph.</summary>
    protected FlowDefinition(FlowGraph graph)
        : base(graph)
    {
    }

    /// <summary>Creates a fresh instance of the flow.</summary>
    public abstract TFlow Create();

    /// <summary>Runs one step on an instance.</summary>
    protected abstract void Invoke(TFlow flow, string step, StepInvocation invocation);

    /// <summary>Serializes each element of the foreach artifact of a foreach step.</summary>
    protected abstract IReadOnlyList<ArtifactValue> Foreach(TFlow flow, string step);

    internal sealed override FlowSpec CreateInstance() => Create();

    internal sealed override void RunStep(FlowSpec flow, string step, StepInvocation invocation) => Invoke((TFlow)flow, step, invocation);

    internal sealed override IReadOnlyList<ArtifactValue> SplitForeach(FlowSpec flow, string step) => Foreach((TFlow)flow, step);

    /// <summary>An error for a step name the generated code does not know.</summary>
    protected FlowException UnknownStep(string step) => new($"Flow {Graph.Name} has no step '{step}'.");
}

/// <summary>Reads and writes one artifact of a flow instance, typed, without reflection.</summary>
public abstract class ArtifactAccessor
{
    private protected ArtifactAccessor(string name, bool isParameter)
    {
        Name = name;
        IsParameter = isParameter;
    }

    /// <summary>The artifact's name (the property name).</summary>
    public string Name { get; }

    /// <summary>Whether the artifact is a run parameter.</summary>
    public bool IsParameter { get; }

    /// <summary>The artifact's CLR type.</summary>
    public abstract Type Type { get; }

    /// <summary>Creates the accessor of a property; the generator calls this.</summary>
    public static ArtifactAccessor Create<TFlow, T>(string name, bool isParameter, Func<TFlow, T> get, Action<TFlow, T> set)
        where TFlow : FlowSpec => new Typed<TFlow, T>(name, isParameter, get, set);

    internal abstract ArtifactValue CaptureBoxed(FlowSpec flow);

    /// <summary>Sets the artifact from a stored value; returns the value set.</summary>
    internal abstract object? RestoreBoxed(FlowSpec flow, ArtifactValue value, string what);

    /// <summary>
    /// Whether the instance still holds the value <paramref name="original"/> that was restored from <paramref name="stored"/>:
    /// the same immutable value, or the same array with the same bytes. False when only serializing can tell.
    /// </summary>
    internal abstract bool IsUnchanged(FlowSpec flow, object? original, ArtifactValue stored);

    internal abstract bool IsDefaultBoxed(FlowSpec flow);

    internal abstract object? GetBoxed(FlowSpec flow);

    /// <summary>Reads a stored value of this artifact, boxed (for tools that show values).</summary>
    internal abstract object? ReadBoxed(ArtifactValue value, string what);

    internal abstract void ParseAndSet(FlowSpec flow, string text);

    /// <summary>Whether two instances hold equal values of this artifact (reference equality for reference types).</summary>
    internal abstract bool HoldsSameValue(FlowSpec flow, FlowSpec other);

    internal void Restore<TFlow>(TFlow flow, ArtifactValue value, string what)
        where TFlow : FlowSpec => RestoreBoxed(flow, value, what);


    private sealed class Typed<TFlow, T>(string name, bool isParameter, Func<TFlow, T> get, Action<TFlow, T> set)
        : ArtifactAccessor(name, isParameter)
        where TFlow : FlowSpec
    {
        public override Type Type => typeof(T);

        internal override ArtifactValue CaptureBoxed(FlowSpec flow) => FlowSerializer.SerializeArtifact(get((TFlow)flow), Name);

        private static readonly bool Immutable = FlowSerializer.IsImmutable(typeof(T));

        internal override object? RestoreBoxed(FlowSpec flow, ArtifactValue value, string what)
        {
            var restored = FlowSerializer.Deserialize<T>(value, what);
            set((TFlow)flow, restored);
            return restored;
        }

        internal override bool IsUnchanged(FlowSpec flow, object? original, ArtifactValue stored)
        {
            var current = get((TFlow)flow);
            if (Immutable)
            {
                return original is T o ? EqualityComparer<T>.Default.Equals(current, o) : current is null && original is null;
            }

            // A large array the step may have written into: its bytes are hashed, without serializing.
            return current is byte[] { Length: >= FlowSerializer.LargeBinary } bytes && ReferenceEquals(current, original)
                && string.Equals(ArtifactValue.BinaryHash(bytes), stored.Hash, StringComparison.Ordinal);
        }

        internal override bool IsDefaultBoxed(FlowSpec flow) => EqualityComparer<T>.Default.Equals(get((TFlow)flow), default!);

        internal override object? GetBoxed(FlowSpec flow) => get((TFlow)flow);

        internal override object? ReadBoxed(ArtifactValue value, string what) => FlowSerializer.Deserialize<T>(value, what);

        // A mutable value that an initializer creates (a list) is a new object in each instance: the two hold the
        // same value when they serialize alike.
        internal override bool HoldsSameValue(FlowSpec flow, FlowSpec other)
        {
            var value = get((TFlow)flow);
            var initial = get((TFlow)other);
            return EqualityComparer<T>.Default.Equals(value, initial)
                || (!Immutable && value is not null && initial is not null
                    && string.Equals(FlowSerializer.SerializeArtifact(value, Name).Hash, FlowSerializer.SerializeArtifact(initial, Name).Hash, StringComparison.Ordinal));
        }

        internal override void ParseAndSet(FlowSpec flow, string text) => set((TFlow)flow, ParameterParser.Parse<T>(text));
    }
}
