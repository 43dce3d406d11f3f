using System.Text.Json;

namespace Flow.Datastore;

/// <summary>The kinds of datastore.</summary>
public enum DatastoreKind
{
    /// <summary>A folder on this machine (by default <c>.flow</c> in the working directory).</summary>
    Local,

    /// <summary>A bucket and prefix in S3 or an S3-compatible store (<c>s3://bucket/prefix</c>).</summary>
    S3,
}

/// <summary>
/// Which datastore to use and where it is. Each place that can say so is asked in turn, and the first
/// that names a kind or a root decides the kind:
/// <list type="number">
/// <item>the command line: <c>--datastore local|s3</c> and <c>--datastore-root</c>;</item>
/// <item>the environment: <c>FLOW_DATASTORE</c> and <c>FLOW_DATASTORE_ROOT</c>;</item>
/// <item>the user's config file <c>$FLOW_HOME/config.json</c> (default <c>~/.flowconfig/config.json</c>), with the same two keys;</item>
/// <item>the default: local, in <c>.flow</c> under the working directory.</item>
/// </list>
/// A root that starts with <c>s3://</c> means S3, any other root a local folder. The root is the first
/// one, in the same order, of the chosen kind: <c>--datastore local</c> ignores an S3 root set in the
/// environment, and an S3 datastore with no <c>s3://</c> root anywhere is an error.
/// </summary>
public sealed record DatastoreConfig(DatastoreKind Kind, string Root)
{
    /// <summary>The environment variable that names the kind.</summary>
    public const string KindVariable = "FLOW_DATASTORE";

    /// <summary>The environment variable that names the root.</summary>
    public const string RootVariable = "FLOW_DATASTORE_ROOT";

    /// <summary>The local datastore's folder when nothing else is configured.</summary>
    public const string DefaultLocalRoot = ".flow";

    /// <summary>The datastore configured for this process, with the command line's values (null where not given).</summary>
    public static DatastoreConfig Resolve(string? kind = null, string? root = null) =>
        Resolve(kind, root, Environment.GetEnvironmentVariable, ConfigFilePath(Environment.GetEnvironmentVariable));

    /// <summary>Resolves from the given command-line values, environment and config file (for tests and tools).</summary>
    public static DatastoreConfig Resolve(string? kind, string? root, Func<string, string?> environment, string? configFile)
    {
        ArgumentNullException.ThrowIfNull(environment);

        // The config file is read only when the command line and the environment leave something open.
        var levels = new List<Func<Level>>
        {
            () => new Level("the command line", kind, root),
            () => new Level("the environment", environment(KindVariable), environment(RootVariable)),
            () => configFile is not null && File.Exists(configFile) ? ReadFile(configFile) : new Level("no config file", null, null),
        };
        var known = new Level?[levels.Count];
        Level At(int i) => known[i] ??= levels[i]();

        DatastoreKind? chosen = null;
        var where = "the default";
        for (var i = 0; i < levels.Count && chosen is null; i++)
        {
            (chosen, where) = (At(i).Decides(), At(i).Where);
        }

        var resolved = chosen ?? DatastoreKind.Local;
        for (var i = 0; i < levels.Count; i++)
        {
            if (Blank(At(i).Root) is { } found && KindOf(found) == resolved)
            {
                return new DatastoreConfig(resolved, found);
            }
        }

        return resolved == DatastoreKind.Local
            ? new DatastoreConfig(DatastoreKind.Local, DefaultLocalRoot)
            : throw new FlowException(
                $"The S3 datastore chosen by {where} has no root: set --datastore-root or {RootVariable} to s3://BUCKET/PREFIX (or put {RootVariable} in {configFile ?? "the config file"}).");
    }

    /// <summary>The user's config file: <c>$FLOW_HOME/config.json</c>, by default <c>~/.flowconfig/config.json</c>.</summary>
    public static string? ConfigFilePath(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (Blank(environment("FLOW_HOME")) is { } home)
        {
            return Path.Combine(home, "config.json");
        }

        var profile = Blank(environment("HOME")) ?? Blank(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        return profile is null ? null : Path.Combine(profile, ".flowconfig", "config.json");
    }

    /// <summary>The kind a root implies: S3 for <c>s3://…</c>, else local.</summary>
    public static DatastoreKind KindOf(string root) =>
        root.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? DatastoreKind.S3 : DatastoreKind.Local;

    /// <inheritdoc />
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} datastore at {Root}";

    private sealed record Level(string Where, string? Kind, string? Root)
    {
        /// <summary>The kind this place names or implies with its root, or null when it says nothing.</summary>
        public DatastoreKind? Decides()
        {
            var named = Blank(Kind) is { } k ? ParseKind(k, Where) : (DatastoreKind?)null;
            var implied = Blank(Root) is { } r ? KindOf(r) : (DatastoreKind?)null;
            if (named is { } n && implied is { } i && n != i)
            {
                throw new FlowException(
                    $"In {Where} the datastore is {n.ToString().ToLowerInvariant()} but its root '{Root}' is {(i == DatastoreKind.S3 ? "an S3 URI" : "a local folder")}; an S3 root is s3://BUCKET/PREFIX, a local one a folder.");
            }

            return named ?? implied;
        }
    }

    private static DatastoreKind ParseKind(string kind, string where) => kind.ToLowerInvariant() switch
    {
        "local" => DatastoreKind.Local,
        "s3" => DatastoreKind.S3,
        _ => throw new FlowException($"'{kind}' from {where} is not a datastore; use local or s3."),
    };

    private static Level ReadFile(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FlowException($"The config file {path} must hold a JSON object, such as {{\"{RootVariable}\": \"s3://bucket/prefix\"}}.");
            }

            return new Level($"the config file {path}", Text(document.RootElement, KindVariable, path), Text(document.RootElement, RootVariable, path));
        }
        catch (JsonException e)
        {
            throw new FlowException($"The config file {path} is not valid JSON: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new FlowException($"Cannot read the config file {path}: {e.Message}", e);
        }
    }

    private static string? Text(JsonElement root, string name, string path) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new FlowException($"{name} in the config file {path} must be a string.");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
