using System.Buffers;
using System.Net;
using System.Reflection;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Util;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Win32.SafeHandles;

namespace Flow.Datastore;

/// <summary>How an <see cref="S3Transfer"/> moves data.</summary>
public sealed record S3TransferOptions
{
    /// <summary>How many requests run at once, over all objects and parts.</summary>
    public int Parallelism { get; init; } = 16;

    /// <summary>The size of each part of a large object (5 MiB at least: S3's multipart minimum).</summary>
    public long PartSize { get; init; } = 16L << 20;

    /// <summary>Objects at least this large move in parallel parts (multipart upload, ranged download).</summary>
    public long MultipartThreshold { get; init; } = 32L << 20;

    /// <summary>How many times one request (an object or a part) is tried when the connection or the server fails.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Told of the bytes and objects done so far, as they are done.</summary>
    public IProgress<S3TransferProgress>? Progress { get; init; }
}

/// <summary>How far a transfer is.</summary>
/// <param name="Bytes">Bytes moved so far.</param>
/// <param name="TotalBytes">Bytes to move, where known (uploads, and downloads once their sizes are read).</param>
/// <param name="Objects">Objects finished.</param>
/// <param name="TotalObjects">Objects to move.</param>
public sealed record S3TransferProgress(long Bytes, long TotalBytes, int Objects, int TotalObjects);

/// <summary>
/// Fast data access for steps: many objects and large objects to and from S3, into memory or files.
/// Large objects move as parallel parts (multipart uploads, ranged downloads written in place), files
/// stream through fixed buffers (memory stays at about <see cref="S3TransferOptions.Parallelism"/> buffers
/// whatever the size), failed requests are tried again, and a callback hears the progress.
/// Locations are <c>s3://bucket/key</c>; the client comes from the AWS SDK's standard settings.
/// </summary>
public sealed class S3Transfer : IDisposable
{
    private const int BufferSize = 1 << 20;
    private static readonly PropertyInfo? WrappedStream = typeof(WrapperStream).GetProperty("BaseStream", BindingFlags.Instance | BindingFlags.NonPublic);
    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly S3TransferOptions _options;
    private readonly SemaphoreSlim _slots;

    /// <summary>A transfer with a client from <paramref name="config"/> and <paramref name="credentials"/> (default: the SDK's settings).</summary>
    public S3Transfer(S3TransferOptions? options = null, AmazonS3Config? config = null, AWSCredentials? credentials = null)
        : this(S3Clients.Create(config, credentials), options, ownsClient: true)
    {
    }

    /// <summary>A transfer over an existing client.</summary>
    public S3Transfer(IAmazonS3 client, S3TransferOptions? options = null)
        : this(client, options, ownsClient: false)
    {
    }

    private S3Transfer(IAmazonS3 client, S3TransferOptions? options, bool ownsClient)
    {
        _client = client;
        _ownsClient = ownsClient;
        _options = options ?? new S3TransferOptions();
        if (_options.Parallelism < 1 || _options.MaxAttempts < 1 || _options.PartSize < (5L << 20) || _options.MultipartThreshold < _options.PartSize)
        {
            throw new FlowException("S3 transfer options need Parallelism and MaxAttempts of at least 1, PartSize of at least 5 MiB, and MultipartThreshold of at least PartSize.");
        }

        _slots = new SemaphoreSlim(_options.Parallelism);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _slots.Dispose();
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <summary>Reads one object into memory.</summary>
    public async Task<byte[]> GetAsync(string uri, CancellationToken cancellationToken = default) =>
        (await GetManyAsync([uri], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Reads several objects into memory, at once, in the order given.</summary>
    public async Task<IReadOnlyList<byte[]>> GetManyAsync(IEnumerable<string> uris, CancellationToken cancellationToken = default)
    {
        var locations = uris.Select(Parse).ToList();
        var progress = new Tracker(_options.Progress, locations.Count, 0);
        var results = new byte[locations.Count][];
        await Task.WhenAll(locations.Select(async (location, i) =>
        {
            byte[]? buffer = null;
            await ReadAsync(location, progress, size =>
            {
                if (size > Array.MaxLength)
                {
                    throw new FlowException($"s3://{location.Bucket}/{location.Prefix} is {size} bytes, too large for memory; download it to a file.");
                }

                buffer = new byte[size];
                return (offset, data, _) =>
                {
                    data.Span.CopyTo(buffer.AsSpan((int)offset));
                    return ValueTask.CompletedTask;
                };
            }, cancellationToken).ConfigureAwait(false);
            results[i] = buffer!;
            progress.ObjectDone();
        })).ConfigureAwait(false);
        return results;
    }

    /// <summary>Downloads one object to a file (replaced whole when done).</summary>
    public Task GetFileAsync(string uri, string path, CancellationToken cancellationToken = default) =>
        GetFilesAsync([(uri, path)], cancellationToken);

    /// <summary>Downloads several objects to files, at once; each file appears whole or not at all.</summary>
    public async Task GetFilesAsync(IEnumerable<(string Uri, string Path)> files, CancellationToken cancellationToken = default)
    {
        var list = files.Select(f => (Location: Parse(f.Uri), Path: Path.GetFullPath(f.Path))).ToList();
        var progress = new Tracker(_options.Progress, list.Count, 0);
        await Task.WhenAll(list.Select(async file =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file.Path)!);
            var temp = $"{file.Path}.{Guid.NewGuid():N}.part";
            SafeFileHandle? handle = null;
            try
            {
                await ReadAsync(file.Location, progress, size =>
                {
                    // A local failure is no reason to ask S3 again: it ends the download at once, naming the file.
                    try
                    {
                        handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous, preallocationSize: size);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        throw CannotWrite(file.Path, e);
                    }

                    return async (offset, data, token) =>
                    {
                        try
                        {
                            await RandomAccess.WriteAsync(handle, data, offset, token).ConfigureAwait(false);
                        }
                        catch (IOException e)
                        {
                            throw CannotWrite(file.Path, e);
                        }
                    };
                }, cancellationToken).ConfigureAwait(false);
                handle?.Dispose();
                File.Move(temp, file.Path, overwrite: true);
            }
            catch
            {
                handle?.Dispose();
                File.Delete(temp);
                throw;
            }

            progress.ObjectDone();
        })).ConfigureAwait(false);
    }

    /// <summary>Writes one object from memory.</summary>
    public Task PutAsync(string uri, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        PutManyAsync([(uri, data)], cancellationToken);

    /// <summary>Writes several objects from memory, at once.</summary>
    public async Task PutManyAsync(IEnumerable<(string Uri, ReadOnlyMemory<byte> Data)> objects, CancellationToken cancellationToken = default)
    {
        var list = objects.Select(o => (Location: Parse(o.Uri), o.Data)).ToList();
        var progress = new Tracker(_options.Progress, list.Count, list.Sum(o => (long)o.Data.Length));
        await Task.WhenAll(list.Select(async o =>
        {
            await WriteAsync(o.Location, o.Data.Length, progress, (offset, length) => new ReadOnlyMemoryStream(o.Data.Slice((int)offset, (int)length)), cancellationToken).ConfigureAwait(false);
            progress.ObjectDone();
        })).ConfigureAwait(false);
    }

    /// <summary>Uploads one file.</summary>
    public Task PutFileAsync(string path, string uri, CancellationToken cancellationToken = default) =>
        PutFilesAsync([(path, uri)], cancellationToken);

    /// <summary>Uploads several files, at once, streaming each part from its file.</summary>
    public async Task PutFilesAsync(IEnumerable<(string Path, string Uri)> files, CancellationToken cancellationToken = default)
    {
        var list = files.Select(f => (Path: Path.GetFullPath(f.Path), Location: Parse(f.Uri))).ToList();
        var sizes = list.Select(f => new FileInfo(f.Path) is { Exists: true } info ? info.Length : throw new FlowException($"Cannot upload {f.Path}: there is no such file.")).ToList();
        var progress = new Tracker(_options.Progress, list.Count, sizes.Sum());
        await Task.WhenAll(list.Select(async (file, i) =>
        {
            await WriteAsync(file.Location, sizes[i], progress, (offset, length) => new FileSlice(file.Path, offset, length), cancellationToken).ConfigureAwait(false);
            progress.ObjectDone();
        })).ConfigureAwait(false);
    }

    private static FlowException CannotWrite(string path, Exception e) => new($"Cannot write {path}: {e.Message}", e);

    private static S3Root Parse(string uri)
    {
        var root = S3Root.Parse(uri);
        return root.Prefix.Length == 0 ? throw new FlowException($"'{uri}' names a bucket, not an object; write s3://BUCKET/KEY.") : root;
    }

    /// <summary>
    /// Reads an object, handing its bytes to the sink that <paramref name="open"/> makes once the size is known.
    /// The first request asks for the whole object, so a small one takes one GET (no separate request for its
    /// size); when that GET shows an object of <see cref="S3TransferOptions.MultipartThreshold"/> or more, only its
    /// first part is read from it and the other parts follow as parallel ranged GETs, all pinned to the ETag the
    /// first answer gave, so that an object replaced meanwhile is an error and never a mix of two versions.
    /// </summary>
    private async Task ReadAsync(S3Root location, Tracker progress, Func<long, Sink> open, CancellationToken cancellationToken)
    {
        Sink? sink = null;
        long size = 0;
        string? etag = null;
        await CallAsync("read", location, progress, async (attempt, token) =>
        {
            using var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = location.Bucket, Key = location.Prefix, EtagToMatch = etag }, token).ConfigureAwait(false);
            if (sink is null)
            {
                size = response.ContentLength;
                etag = response.ETag;
                progress.AddTotal(size);
                sink = open(size);
            }

            var whole = size < _options.MultipartThreshold;
            await CopyAsync(Body(response), 0, whole ? size : _options.PartSize, size, toEnd: whole, sink, attempt, token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

        if (size < _options.MultipartThreshold)
        {
            return;
        }

        await Task.WhenAll(Parts(size, multipart: true).Skip(1).Select(part => CallAsync("read", location, progress, async (attempt, token) =>
        {
            using var response = await _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = location.Bucket,
                Key = location.Prefix,
                ByteRange = new ByteRange(part.Offset, part.Offset + part.Length - 1),
                EtagToMatch = etag,
            }, token).ConfigureAwait(false);
            await CopyAsync(response.ResponseStream, part.Offset, part.Length, size, toEnd: false, sink!, attempt, token).ConfigureAwait(false);
            return true;
        }, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes of a body to the sink at <paramref name="offset"/>, a full buffer at a
    /// time (one write per MiB rather than one per network read). With <paramref name="toEnd"/> it then reads the
    /// body to its end, where the SDK checks it against what S3 sent (a checksum, or the ETag's MD5).
    /// </summary>
    private static async Task CopyAsync(Stream body, long offset, long length, long size, bool toEnd, Sink sink, Attempt attempt, CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            for (long done = 0; done < length;)
            {
                var want = (int)Math.Min(BufferSize, length - done);
                var read = await body.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false, token).ConfigureAwait(false);
                if (read < want)
                {
                    throw new IOException($"the object ended after {offset + done + read} of {size} bytes");
                }

                await sink(offset + done, buffer.AsMemory(0, read), token).ConfigureAwait(false);
                done += read;
                attempt.Moved(read);
            }

            if (toEnd && await body.ReadAsync(buffer.AsMemory(0, 1), token).ConfigureAwait(false) != 0)
            {
                throw new IOException($"the object has more than the {size} bytes announced");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The body of a whole-object GET to read. The SDK checks such a body twice: against the checksum S3 stored
    /// with the object (CRC32 and the like, asked for by default and checked by a vectorized hash) and, in an
    /// outer layer, against the ETag with a managed MD5 that takes more CPU than all the rest of a download. Where
    /// the stored checksum is being checked underneath, the MD5 layer is skipped; otherwise the body is read as
    /// the SDK gives it.
    /// </summary>
    private static Stream Body(GetObjectResponse response) =>
        response.ResponseStream is MD5Stream md5 && WrappedStream?.GetValue(md5) is HashStream checksummed ? checksummed : response.ResponseStream;

    private async Task WriteAsync(S3Root location, long size, Tracker progress, Func<long, long, Stream> open, CancellationToken cancellationToken)
    {
        if (size < _options.MultipartThreshold)
        {
            await CallAsync("write", location, progress, async (attempt, token) =>
            {
                await using var body = open(0, size);
                var response = await _client.PutObjectAsync(new PutObjectRequest { BucketName = location.Bucket, Key = location.Prefix, InputStream = body, AutoCloseStream = false }, token).ConfigureAwait(false);
                attempt.Moved(size);
                return response;
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var upload = await CallAsync("start writing", location, token =>
            _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = location.Bucket, Key = location.Prefix }, token), cancellationToken).ConfigureAwait(false);
        try
        {
            var parts = Parts(size, multipart: true);
            var etags = await Task.WhenAll(parts.Select((part, i) => CallAsync($"write part {i + 1} of", location, progress, async (attempt, token) =>
            {
                await using var body = open(part.Offset, part.Length);
                var response = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = location.Bucket,
                    Key = location.Prefix,
                    UploadId = upload.UploadId,
                    PartNumber = i + 1,
                    PartSize = part.Length,
                    InputStream = body,
                }, token).ConfigureAwait(false);
                attempt.Moved(part.Length);
                return new PartETag(i + 1, response.ETag);
            }, cancellationToken))).ConfigureAwait(false);
            await CallAsync("finish writing", location, token => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = location.Bucket,
                Key = location.Prefix,
                UploadId = upload.UploadId,
                PartETags = [.. etags],
            }, token), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _client.AbortMultipartUploadAsync(location.Bucket, location.Prefix, upload.UploadId, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private List<(long Offset, long Length)> Parts(long size, bool multipart)
    {
        if (!multipart || size <= _options.PartSize)
        {
            return [(0, size)];
        }

        var parts = new List<(long, long)>();
        for (long offset = 0; offset < size; offset += _options.PartSize)
        {
            parts.Add((offset, Math.Min(_options.PartSize, size - offset)));
        }

        return parts;
    }

    /// <summary>One request in a free slot, tried again on a transient failure; the bytes of a failed try are taken back from the progress.</summary>
    private async Task<T> CallAsync<T>(string operation, S3Root location, Tracker? progress, Func<Attempt, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var number = 1; ; number++)
        {
            var attempt = new Attempt(progress);
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await call(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (number < _options.MaxAttempts && IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                attempt.Undo();
            }
            catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                throw new FlowException($"Cannot {operation} s3://{location.Bucket}/{location.Prefix}: {Reason(e)}", e);
            }
            finally
            {
                _slots.Release();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << Math.Min(number, 6))), cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<T> CallAsync<T>(string operation, S3Root location, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        CallAsync(operation, location, null, (_, token) => call(token), cancellationToken);

    private static bool IsTransient(Exception e) => e switch
    {
        AmazonServiceException { StatusCode: >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests } => true,
        AmazonServiceException { ErrorCode: "SlowDown" or "RequestTimeout" or "InternalError" } => true,
        AmazonServiceException s => s.InnerException is HttpRequestException or IOException,
        HttpRequestException or IOException => true,
        _ => IsDamaged(e),
    };

    /// <summary>Whether the SDK found a body that does not match the checksum or ETag S3 sent with it (it has no exception type of its own for this).</summary>
    private static bool IsDamaged(Exception e) =>
        e is AmazonClientException && e.Message.Contains("Expected hash not equal to calculated hash", StringComparison.Ordinal);

    private static string Reason(Exception e) => e switch
    {
        AmazonS3Exception { ErrorCode: "NoSuchKey" } or AmazonS3Exception { StatusCode: HttpStatusCode.NotFound } => "there is no such object (or bucket).",
        AmazonServiceException { StatusCode: HttpStatusCode.Forbidden } s => $"access denied ({s.ErrorCode}); check the AWS credentials and their permissions.",
        AmazonServiceException { StatusCode: HttpStatusCode.PreconditionFailed } => "the object was replaced while it was being read; read it again.",
        _ when IsDamaged(e) => "the data arrived damaged on every try (it does not match the checksum or ETag S3 keeps with the object).",
        AmazonServiceException s when s.InnerException is not null => $"the S3 endpoint did not answer ({s.InnerException.Message}).",
        AmazonServiceException s => $"{(int)s.StatusCode} {s.ErrorCode}: {s.Message}",
        _ => $"the S3 endpoint did not answer ({e.Message}).",
    };

    /// <summary>Takes bytes of one object at their offset in it.</summary>
    private delegate ValueTask Sink(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Counts bytes and objects and tells the callback, one report at a time, in order.</summary>
    private sealed class Tracker(IProgress<S3TransferProgress>? sink, int objects, long totalBytes)
    {
        private readonly Lock _gate = new();
        private long _bytes;
        private long _total = totalBytes;
        private int _objects;

        public void AddTotal(long bytes)
        {
            lock (_gate)
            {
                _total += bytes;
            }
        }

        public void Moved(long bytes) => Update(bytes, 0);

        public void ObjectDone() => Update(0, 1);

        private void Update(long bytes, int objectsDone)
        {
            lock (_gate)
            {
                _bytes += bytes;
                _objects += objectsDone;
                sink?.Report(new S3TransferProgress(_bytes, _total, _objects, objects));
            }
        }
    }

    /// <summary>The bytes one try of one request has moved, so that a failed try can take them back.</summary>
    private sealed class Attempt(Tracker? progress)
    {
        private long _bytes;

        public void Moved(long bytes)
        {
            _bytes += bytes;
            progress?.Moved(bytes);
        }

        public void Undo() => progress?.Moved(-_bytes);
    }

    /// <summary>A read-only stream over memory, without copying it.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => _position = (int)Math.Clamp(value, 0, data.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, data.Length - _position);
            data.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => data.Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A read-only stream over one part of a file, read through a small buffer.</summary>
    private sealed class FileSlice : Stream
    {
        private readonly FileStream _file;
        private readonly long _start;
        private readonly long _length;

        public FileSlice(string path, long start, long length)
        {
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            _start = start;
            _length = length;
            _file.Position = start;
        }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position
        {
            get => _file.Position - _start;
            set => _file.Position = _start + Math.Clamp(value, 0, _length);
        }

        public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, Limit(count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _file.ReadAsync(buffer[..Limit(buffer.Length)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _file.ReadAsync(buffer, offset, Limit(count), cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => _length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _file.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Limit(int count) => (int)Math.Min(count, _length - Position);
    }
}
