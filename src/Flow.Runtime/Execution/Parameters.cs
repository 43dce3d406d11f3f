using Flow.Serialization;

namespace Flow.Execution;

/// <summary>Turns command-line parameter text into the run's parameter artifacts, with defaults from the flow's initializers.</summary>
internal static class Parameters
{
    public static IReadOnlyDictionary<string, ArtifactValue> Resolve(FlowDefinition definition, IReadOnlyDictionary<string, string> given)
    {
        var known = definition.Graph.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);

        // A parameter is named by its property (Seed) or by its option (seed, as in --seed).
        if (given.Keys.Any(name => !known.ContainsKey(name)))
        {
            var byOption = known.Values.ToDictionary(p => p.OptionName, p => p.Name, StringComparer.Ordinal);
            var named = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in given)
            {
                var property = known.ContainsKey(name) ? name
                    : byOption.TryGetValue(name.StartsWith("--", StringComparison.Ordinal) ? name[2..] : name, out var p) ? p
                    : throw new FlowException($"Flow {definition.Graph.Name} has no parameter '{name}'; " +
                        (known.Count == 0 ? "it has none." : "it has " + string.Join(", ", known.Values.Select(k => $"{k.Name} (--{k.OptionName})")) + "."));
                if (!named.TryAdd(property, value))
                {
                    throw new FlowException($"Parameter {property} (--{known[property].OptionName}) is given twice, as '{name}' and as another name.");
                }
            }

            given = named;
        }

        var flow = definition.CreateInstance();
        var values = new Dictionary<string, ArtifactValue>(StringComparer.Ordinal);
        foreach (var accessor in definition.Artifacts.Where(a => a.IsParameter))
        {
            var info = known[accessor.Name];
            if (given.TryGetValue(accessor.Name, out var text))
            {
                try
                {
                    accessor.ParseAndSet(flow, text);
                }
                catch (FormatException e)
                {
                    throw new FlowException($"Parameter --{info.OptionName} {e.Message}.", e);
                }
            }
            else if (info.Required)
            {
                throw new FlowException($"Parameter --{info.OptionName} is required{(info.Help is null ? "" : $" ({info.Help})")}.");
            }

            values[accessor.Name] = accessor.CaptureBoxed(flow);
        }

        return values;
    }

    /// <summary>Resolves the parameters (see <see cref="Resolve"/>) and stores each: the references a run record holds.</summary>
    public static async Task<Dictionary<string, Datastore.ArtifactRef>> StoreAsync(
        FlowDefinition definition, Datastore.FlowDatastore datastore, IReadOnlyDictionary<string, string> given, CancellationToken cancellationToken)
    {
        var refs = new Dictionary<string, Datastore.ArtifactRef>(StringComparer.Ordinal);
        foreach (var (name, value) in Resolve(definition, given))
        {
            refs[name] = await datastore.PutAsync(value, definition.Graph.Artifacts.First(a => a.Name == name).Type, cancellationToken).ConfigureAwait(false);
        }

        return refs;
    }
}
