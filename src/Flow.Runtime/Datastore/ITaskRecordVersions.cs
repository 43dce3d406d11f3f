namespace Flow.Datastore;

/// <summary>One task record as a listing of the run's records names it: which task, and a version of its stored bytes.</summary>
/// <param name="Step">The task's step.</param>
/// <param name="TaskId">The task's id.</param>
/// <param name="Version">Changes whenever the record is written again: size and modification time of a file, an object's ETag.</param>
internal readonly record struct TaskRecordVersion(string Step, long TaskId, string Version);

/// <summary>
/// A metadata store that can list a run's task records without reading them (one directory listing, or one S3 listing
/// per 1,000 records), so that a reader that keeps records can tell which ones are new or were written again and read
/// only those. Implemented by the local and S3 stores; readers fall back to <see cref="IMetadataStore.ListTasksAsync"/>
/// for a store that does not.
/// </summary>
internal interface ITaskRecordVersions
{
    /// <summary>The task records of a run, each with its version, in no particular order.</summary>
    Task<IReadOnlyList<TaskRecordVersion>> ListTaskVersionsAsync(string flow, string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A stamp of a run's task records, taken without listing them: if two stamps of a run are equal, no record was
    /// written or removed between them. Null when the store has none, or none it can trust at this moment.
    /// </summary>
    string? TaskStamp(string flow, string runId) => null;
}
