using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Flow.Serialization;

/// <summary>
/// MessagePack's contractless resolver, with formatters that throw when a value being written nests deeper than the read limit
/// (<see cref="MessagePackSecurity.MaximumObjectGraphDepth"/>, as <see cref="ArtifactTooDeepException"/>)
/// instead of overflowing the stack: MessagePack guards depth when it reads untrusted data, never when it
/// writes, so a value with a reference cycle would otherwise crash the process that stores it.
/// </summary>
internal sealed class DepthGuardResolver : IFormatterResolver
{
    /// <summary>Contractless MessagePack, guarded at the depth untrusted data may be read back with.</summary>
    public static readonly DepthGuardResolver Instance = new();

    /// <summary>The deepest nesting a stored value may have.</summary>
    public static readonly int MaximumDepth = MessagePackSecurity.UntrustedData.MaximumObjectGraphDepth;

    private DepthGuardResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    // Built once per type, like MessagePack's own resolvers: formatters are looked up on every nested value.
    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = Wrap(ContractlessStandardResolver.Instance.GetFormatter<T>());

        // Values that hold no references cannot nest: their formatters are used as they are.
        private static IMessagePackFormatter<T>? Wrap(IMessagePackFormatter<T>? inner) =>
            inner is null || FlowSerializer.IsImmutable(typeof(T)) || typeof(T) == typeof(byte[]) ? inner : new Guarded<T>(inner);
    }

    private sealed class Guarded<T>(IMessagePackFormatter<T> inner) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
        {
            if (options is not DepthCountingOptions counting)
            {
                inner.Serialize(ref writer, value, options);
                return;
            }

            if (++counting.Depth > MaximumDepth)
            {
                throw new ArtifactTooDeepException(MaximumDepth);
            }

            inner.Serialize(ref writer, value, options);
            counting.Depth--;
        }

        // Reading is guarded by MessagePack itself (untrusted-data security counts the reader's depth).
        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => inner.Deserialize(ref reader, options);
    }
}

/// <summary>
/// Options for writing one value, which carry the depth reached so far: MessagePack hands the options to every
/// formatter it calls, and its writer holds no state of ours. A new instance for each value written.
/// </summary>
internal sealed class DepthCountingOptions(MessagePackSerializerOptions copyFrom) : MessagePackSerializerOptions(copyFrom)
{
    /// <summary>How deep the formatter now writing is nested.</summary>
    public int Depth { get; set; }

    protected override MessagePackSerializerOptions Clone() => new DepthCountingOptions(this);
}

/// <summary>A value to store nests deeper than an artifact may: it has a reference cycle, or is too deep to read back.</summary>
internal sealed class ArtifactTooDeepException(int maximumDepth)
    : InvalidOperationException($"the value nests more than {maximumDepth} levels deep")
{
    /// <summary>The deepest nesting an artifact may have.</summary>
    public int MaximumDepth { get; } = maximumDepth;
}
