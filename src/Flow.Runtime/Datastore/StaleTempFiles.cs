namespace Flow.Datastore;

/// <summary>
/// Removes what writes killed midway left in a local datastore: temporary files (and the temporary folder of a run
/// being created) that were never renamed into place. A write holds its temporary name only while it runs, so one
/// older than <see cref="SafeAge"/> belongs to a process that is gone; nothing younger is touched. Only the folders
/// <see cref="DatastoreLayout"/> defines are looked in, and only names <see cref="LocalFiles.TempName"/> makes are
/// removed: a root shared with other files (a project folder, a home directory) keeps everything that is not Flow's.
/// </summary>
internal static class StaleTempFiles
{
    /// <summary>
    /// A write renames its temporary file as soon as its bytes are written, within minutes even for the largest blob
    /// on a slow disk; a day is far beyond any live write and beyond clock differences between machines sharing a folder.
    /// </summary>
    public static readonly TimeSpan SafeAge = TimeSpan.FromDays(1);

    /// <summary>Listing every run's folders takes a while on a large datastore, and leftovers wait a day anyway: one sweep an hour is enough.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>The file whose time says when <paramref name="root"/> was last swept.</summary>
    public static string MarkerOf(string root) => Path.Combine(root, ".last-sweep");

    /// <summary>Marks <paramref name="root"/> swept and sweeps it in the background, unless it was swept less than <see cref="Interval"/> ago; returns the sweep, which never fails: a leftover that cannot be removed now is removed later.</summary>
    public static Task SweepIfDue(string root, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var marker = MarkerOf(root);
        try
        {
            if (!Directory.Exists(root) || (File.Exists(marker) && now - File.GetLastWriteTimeUtc(marker) < Interval))
            {
                return Task.CompletedTask;
            }

            // The marker is written here, the walk happens in the background: it only reads and removes, so a
            // process that deletes the datastore meanwhile never sees a file appear under it.
            File.WriteAllBytes(marker, []);
            File.SetLastWriteTimeUtc(marker, now.UtcDateTime);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The datastore is not writable here, or another process marks it at the same moment.
            return Task.CompletedTask;
        }

        return Task.Run(
            () =>
            {
                try
                {
                    Sweep(root, now - SafeAge);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Removed meanwhile, or not ours to walk: what is left is swept next time.
                }
            },
            CancellationToken.None);
    }

    /// <summary>
    /// Removes the temporary files and run staging folders in the layout's folders under <paramref name="root"/>
    /// (<c>blobs/XX/</c>, <c>FLOW/</c>, <c>FLOW/RUN/</c>, <c>FLOW/RUN/tasks/</c>, <c>FLOW/RUN/logs/</c>) last written
    /// before <paramref name="before"/>; returns how many.
    /// </summary>
    public static int Sweep(string root, DateTimeOffset before)
    {
        var removed = 0;
        foreach (var top in Folders(root))
        {
            if (top.Name == DatastoreLayout.BlobFolder)
            {
                foreach (var prefix in Folders(top.FullName).Where(f => f.Name.Length == 2 && f.Name.All(char.IsAsciiHexDigitLower)))
                {
                    removed += RemoveStale(prefix.FullName, before);
                }

                continue;
            }

            removed += RemoveStale(top.FullName, before);
            foreach (var run in Folders(top.FullName))
            {
                removed += RemoveStale(run.FullName, before);
                removed += RemoveStale(Path.Combine(run.FullName, "tasks"), before);
                removed += RemoveStale(Path.Combine(run.FullName, "logs"), before);
                removed += RemoveStale(Path.Combine(run.FullName, "cards"), before);
            }
        }

        return removed;
    }

    // Folders whose names the layout can make (a flow, a run id, a blob prefix): never hidden ones, nor other tools' folders with odd names.
    private static IEnumerable<DirectoryInfo> Folders(string folder)
    {
        var info = new DirectoryInfo(folder);
        return info.Exists ? info.EnumerateDirectories("*", Options).Where(f => Ids.IsValid(f.Name)) : [];
    }

    private static readonly EnumerationOptions Options = new() { IgnoreInaccessible = true, AttributesToSkip = 0, MatchType = MatchType.Simple };

    private static int RemoveStale(string folder, DateTimeOffset before)
    {
        var info = new DirectoryInfo(folder);
        if (!info.Exists)
        {
            return 0;
        }

        var stale = info.EnumerateFileSystemInfos(".*.tmp", Options)
            .Where(entry => LocalFiles.IsTempName(entry.Name) && entry.LastWriteTimeUtc < before.UtcDateTime)
            .ToList();
        var removed = 0;
        foreach (var entry in stale)
        {
            try
            {
                if (entry is DirectoryInfo staging)
                {
                    staging.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }

                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed meanwhile by another sweep, or not ours to remove.
            }
        }

        return removed;
    }
}
