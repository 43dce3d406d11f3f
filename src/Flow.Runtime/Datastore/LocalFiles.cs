namespace Flow.Datastore;

/// <summary>Atomic file writes: a temporary file in the same folder, written whole, then renamed over the target.</summary>
internal static class LocalFiles
{
    // Folders known to exist, so that a write does not ask for its folder every time; one that was removed since is made again.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Folders = new(StringComparer.Ordinal);

    private const int TempHexBytes = 6;

    /// <summary>
    /// A fresh temporary name beside <paramref name="path"/>: hidden (a leading '.'), so that listings skip it, and
    /// ending in <c>.tmp</c>, so that <see cref="StaleTempFiles"/> finds it if the write is killed before its rename.
    /// </summary>
    public static string TempName(string path) => Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Ids.RandomHex(TempHexBytes)}.tmp");

    /// <summary>Whether <paramref name="name"/> (a file or folder name) is one that <see cref="TempName"/> makes.</summary>
    public static bool IsTempName(string name)
    {
        // .NAME.HEX.tmp: NAME a plain name (a blob key, a record, a log, a run id), HEX the lower-case hex digits TempName adds.
        const int hex = 2 * TempHexBytes;
        if (name.Length < 1 + 1 + 1 + hex + 4 || name[0] != '.' || !name.EndsWith(".tmp", StringComparison.Ordinal))
        {
            return false;
        }

        var digits = name.AsSpan(name.Length - 4 - hex, hex);
        return name[name.Length - 5 - hex] == '.' && digits.IndexOfAnyExcept("0123456789abcdef") < 0 && Ids.IsValid(name[1..(name.Length - 5 - hex)]);
    }

    public static Task WriteAtomicAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        WriteAtomicAsync(path, [data], cancellationToken);

    public static Task WriteAtomicAsync(string path, IReadOnlyList<ReadOnlyMemory<byte>> segments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var folder = Path.GetDirectoryName(path)!;
        if (!Folders.ContainsKey(folder))
        {
            Directory.CreateDirectory(folder);
            Folders.TryAdd(folder, true);
        }

        var temp = TempName(path);
        try
        {
            Microsoft.Win32.SafeHandles.SafeFileHandle handle;
            try
            {
                handle = Open(temp);
            }
            catch (DirectoryNotFoundException)
            {
                Directory.CreateDirectory(folder);
                handle = Open(temp);
            }

            using (handle)
            {
                long offset = 0;
                foreach (var segment in segments)
                {
                    // Written synchronously: a thread-pool hop costs more than writing a small record to the page
                    // cache, and the pooled state of an asynchronous write keeps a large array alive after it.
                    RandomAccess.Write(handle, segment.Span, offset);
                    offset += segment.Length;
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }

        return Task.CompletedTask;
    }

    /// <summary>Removes a temporary file if it can: a failed write's own error is the one to report, and its folder may be gone.</summary>
    public static void DeleteQuietly(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the sweep of stale temporary files.
        }
    }

    // A fresh file with a unique name: no sharing lock is needed.
    private static Microsoft.Win32.SafeHandles.SafeFileHandle Open(string temp) =>
        File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    public static Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            if (length > Array.MaxLength)
            {
                throw new FlowException($"The file {path} is too large to read ({length} bytes).");
            }

            var bytes = GC.AllocateUninitializedArray<byte>((int)length);
            var read = 0;
            while (read < bytes.Length)
            {
                var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
                if (n == 0)
                {
                    // The file shrank while it was read: give what is there, which the hash check rejects.
                    return Task.FromResult<byte[]?>(bytes[..read]);
                }

                read += n;
            }

            return Task.FromResult<byte[]?>(bytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<byte[]?>(null);
        }
    }
}
