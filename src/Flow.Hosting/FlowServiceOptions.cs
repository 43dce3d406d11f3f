using Flow.Datastore;

namespace Flow.Hosting;

/// <summary>Which runs a web service serves, from where, and how often it looks for a newer one.</summary>
public sealed class FlowServiceOptions
{
    /// <summary>The smallest refresh interval.</summary>
    public static readonly TimeSpan MinimumRefresh = TimeSpan.FromMilliseconds(100);

    /// <summary>The datastore to read runs from (default: the configured one, as for <c>run</c>).</summary>
    public FlowDatastore? Datastore { get; set; }

    /// <summary>
    /// The namespace whose latest successful run is served (<c>user:NAME</c>, <c>production:TOKEN</c>, any tag). Null:
    /// the flow's production namespace once a production run of it exists (it was deployed with
    /// <c>--production</c>), else the user's.
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>Serve only runs with this tag (in the namespace).</summary>
    public string? Tag { get; set; }

    /// <summary>Serve exactly this run (it must have succeeded); no newer run replaces it.</summary>
    public string? RunId { get; set; }

    /// <summary>How often to look for a newer successful run (default two seconds).</summary>
    public TimeSpan Refresh { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest request body accepted, in bytes (default 1 MiB); a larger one is answered 400.</summary>
    public long MaxBodySize { get; set; } = 1 << 20;
}
