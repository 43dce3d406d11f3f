namespace Flow.Datastore;

/// <summary>
/// Removes what writes killed midway left in a local datastore: temporary files (and the temporary folder of a run
/// being created) that were never renamed into place. A write holds its temporary name only while it runs, so one
/// older than <see cref="SafeAge"/> belongs to a process that is gone; nothing younger is touched.
/// </summary>
internal static class StaleTempFiles
{
    /// <summary>
    /// A write renames its temporary file as soon as its bytes are written, within minutes even for the largest blob
    /// on a slow disk; a day is far beyond any live write and beyond clock differences between machines sharing a folder.
    /// </summary>
    public static readonly TimeSpan SafeAge = TimeSpan.FromDays(1);

    /// <summary>Walking a large datastore takes a while, and leftovers wait a day anyway: one walk an hour is enough.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>The file whose time says when <paramref name="root"/> was last swept.</summary>
    public static string MarkerOf(string root) => Path.Combine(root, ".last-sweep");

    /// <summary>Sweeps <paramref name="root"/> unless it was swept less than <see cref="Interval"/> ago. Never fails a run: a leftover that cannot be removed now is removed later.</summary>
    public static void SweepIfDue(string root, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var marker = MarkerOf(root);
        try
        {
            if (!Directory.Exists(root) || (File.Exists(marker) && now - File.GetLastWriteTimeUtc(marker) < Interval))
            {
                return;
            }

            File.WriteAllBytes(marker, []);
            File.SetLastWriteTimeUtc(marker, now.UtcDateTime);
            Sweep(root, now - SafeAge);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The datastore is not writable here, or another process sweeps it at the same moment.
        }
    }

    /// <summary>Removes the temporary files and folders under <paramref name="root"/> last written before <paramref name="before"/>; returns how many.</summary>
    public static int Sweep(string root, DateTimeOffset before)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0, MatchType = MatchType.Simple };
        var stale = new DirectoryInfo(root).EnumerateFileSystemInfos("*.tmp", options)
            .Where(entry => LocalFiles.IsTempName(entry.Name) && entry.LastWriteTimeUtc < before.UtcDateTime)
            .ToList();
        var removed = 0;
        foreach (var entry in stale)
        {
            try
            {
                if (entry is DirectoryInfo folder)
                {
                    folder.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }

                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed meanwhile (inside a folder removed before it, or by another sweep), or not ours to remove.
            }
        }

        return removed;
    }
}
