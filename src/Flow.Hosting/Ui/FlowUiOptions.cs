using Flow.Datastore;

namespace Flow.Hosting;

/// <summary>What the web UI shows: the datastore it reads, and the flows it knows the graphs of.</summary>
public sealed class FlowUiOptions
{
    /// <summary>The datastore whose runs are shown (default: the configured one, see <see cref="DatastoreConfig"/>).</summary>
    public FlowDatastore? Datastore { get; set; }

    /// <summary>
    /// The flows whose graphs the UI knows (a program's own): the runs page shows the first one's runs unless
    /// <c>?flow=</c> names another, and their run pages show steps that have not run yet. With none, the runs page
    /// shows every flow in the datastore.
    /// </summary>
    public IList<FlowDefinition> Flows { get; } = [];

    /// <summary>Runs on a page of the runs list.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>Tasks on a page of a run's task list, and bars per step in its timeline.</summary>
    public int TasksPerPage { get; set; } = 100;

    /// <summary>
    /// How many runs' task records are kept in memory, finished or going; each request still lists the run's records
    /// and reads those that are new or were written again. 0 reads every record on each request.
    /// </summary>
    public int CachedRuns { get; set; } = 64;
}
