using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Win32.SafeHandles;

namespace Flow.S3;

/// <summary>
/// Fast data access for steps: many objects and large objects to and from S3, into memory or files. A large upload
/// goes as parallel parts (a multipart upload made with the AWS SDK's requests), a small one as one <c>PutObject</c>;
/// every body goes plain, with a CRC32 in a header that S3 checks. Downloads read an object of at most one part with
/// one ranged <c>GetObject</c>, a larger one the way it was uploaded, its parts in parallel; every body is checked
/// against the checksum S3 sends with it or the ETag's MD5, and any S3-compatible answer for an empty object is taken.
/// Failed requests are tried again by the SDK's retry policy, every failure is a <see cref="FlowException"/> worded
/// like the datastore's (and never shows a credential), and a callback hears the progress. Locations are
/// <c>s3://bucket/key</c>; the client comes from the AWS SDK's standard settings.
/// </summary>
public sealed partial class S3Transfer : IDisposable
{
    private const int ReadSize = 1 << 20;
    private const long MaxParts = 10_000;
    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly S3TransferOptions _options;
    private readonly S3ErrorTranslator _errors;

    /// <summary>
    /// A transfer with a client from <paramref name="config"/> and <paramref name="credentials"/> (default: the SDK's
    /// settings, tried <see cref="S3TransferOptions.MaxAttempts"/> times); a config passed in is used as it is, its own
    /// <c>MaxErrorRetry</c> included.
    /// </summary>
    public S3Transfer(S3TransferOptions? options = null, AmazonS3Config? config = null, AWSCredentials? credentials = null)
        : this(CreateClient(Checked(options), config, credentials), Checked(options), ownsClient: true, credentials)
    {
    }

    /// <summary>A transfer over an existing client, with that client's retry settings.</summary>
    public S3Transfer(IAmazonS3 client, S3TransferOptions? options = null)
        : this(client, Checked(options), ownsClient: false, credentials: null)
    {
    }

    private S3Transfer(IAmazonS3 client, S3TransferOptions options, bool ownsClient, AWSCredentials? credentials)
    {
        _client = client;
        _ownsClient = ownsClient;
        _options = options;
        _errors = new S3ErrorTranslator(client, credentials, "the s3:// location", "try again");
    }

    /// <inheritdoc />
    public void Dispose()
    {
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
        var locations = uris.Select(ParseObject).ToList();
        var progress = new Tracker(_options.Progress, locations.Count, 0);
        return await EachAsync(locations, (location, token) => ReadAsync(location, progress.Object(), token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Downloads one object to a file (replaced whole when done).</summary>
    public Task GetFileAsync(string uri, string path, CancellationToken cancellationToken = default) =>
        GetFilesAsync([(uri, path)], cancellationToken);

    /// <summary>Downloads several objects to files, at once; each file appears whole or not at all.</summary>
    public async Task GetFilesAsync(IEnumerable<(string Uri, string Path)> files, CancellationToken cancellationToken = default)
    {
        var list = files.Select(f => (Location: ParseObject(f.Uri), Path: Path.GetFullPath(f.Path))).ToList();
        var progress = new Tracker(_options.Progress, list.Count, 0);
        await EachAsync(list, (file, token) => DownloadAsync(file.Location, file.Path, progress.Object(), token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one object from memory.</summary>
    public Task PutAsync(string uri, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        PutManyAsync([(uri, data)], cancellationToken);

    /// <summary>Writes several objects from memory, at once.</summary>
    public async Task PutManyAsync(IEnumerable<(string Uri, ReadOnlyMemory<byte> Data)> objects, CancellationToken cancellationToken = default)
    {
        var list = objects.Select(o => (Location: ParseObject(o.Uri), o.Data)).ToList();
        var progress = new Tracker(_options.Progress, list.Count, list.Sum(o => (long)o.Data.Length));
        await EachAsync(list, (o, token) => UploadAsync(o.Location, null, o.Data, o.Data.Length, progress.Object(o.Data.Length), token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads one file.</summary>
    public Task PutFileAsync(string path, string uri, CancellationToken cancellationToken = default) =>
        PutFilesAsync([(path, uri)], cancellationToken);

    /// <summary>Uploads several files, at once; a large file goes as parts read from the file in parallel.</summary>
    public async Task PutFilesAsync(IEnumerable<(string Path, string Uri)> files, CancellationToken cancellationToken = default)
    {
        var list = files.Select(f => (Path: Path.GetFullPath(f.Path), Location: ParseObject(f.Uri))).ToList();
        var sizes = list.Select(f => new FileInfo(f.Path) is { Exists: true } info ? info.Length : throw new FlowException($"Cannot upload {f.Path}: there is no such file.")).ToList();
        var progress = new Tracker(_options.Progress, list.Count, sizes.Sum());
        await EachAsync(list.Select((file, i) => (file.Path, file.Location, Size: sizes[i])).ToList(), (file, token) =>
            UploadAsync(file.Location, file.Path, default, file.Size, progress.Object(file.Size), token), cancellationToken).ConfigureAwait(false);
    }

    private static S3TransferOptions Checked(S3TransferOptions? options)
    {
        options ??= new S3TransferOptions();
        return options.Parallelism < 1 || options.MaxAttempts < 1 || options.PartSize < (5L << 20) || options.MultipartThreshold < options.PartSize
            ? throw new FlowException("S3 transfer options need Parallelism and MaxAttempts of at least 1, PartSize of at least 5 MiB, and MultipartThreshold of at least PartSize.")
            : options;
    }

    // The caller's config may serve other clients, and the SDK has no public way to copy one: it is used as it is,
    // with its own retry setting; only the config the transfer makes for itself gets MaxAttempts.
    private static AmazonS3Client CreateClient(S3TransferOptions options, AmazonS3Config? config, AWSCredentials? credentials)
    {
        if (config is null)
        {
            config = S3Clients.DefaultConfig();
            config.MaxErrorRetry = options.MaxAttempts - 1;
        }

        return S3Clients.Create(config, credentials);
    }

    private static S3Root ParseObject(string uri)
    {
        var root = S3Root.Parse(uri);
        return root.Prefix.Length == 0 ? throw new FlowException($"'{uri}' names a bucket, not an object; write s3://BUCKET/KEY.") : root;
    }

    /// <summary>Runs <paramref name="each"/> on every item, <see cref="S3TransferOptions.Parallelism"/> at a time, keeping the results in order.</summary>
    private async Task<T[]> EachAsync<TItem, T>(IReadOnlyList<TItem> items, Func<TItem, CancellationToken, Task<T>> each, CancellationToken cancellationToken)
    {
        var results = new T[items.Count];
        await Parallel.ForAsync(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken }, async (i, token) =>
            results[i] = await each(items[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }

    /// <summary>Reads an object into an array of its size.</summary>
    private async Task<byte[]> ReadAsync(S3Root location, ObjectProgress progress, CancellationToken cancellationToken)
    {
        var data = Array.Empty<byte>();
        await ReadAsync(location, progress, size =>
        {
            data = size <= Array.MaxLength
                ? GC.AllocateUninitializedArray<byte>((int)size)
                : throw new FlowException($"s3://{location.Bucket}/{location.Prefix} is {size} bytes, too large for memory; download it to a file.");
            return (offset, bytes, _) =>
            {
                bytes.Span.CopyTo(data.AsSpan((int)offset));
                return ValueTask.CompletedTask;
            };
        }, cancellationToken).ConfigureAwait(false);
        return data;
    }

    /// <summary>Downloads into a temporary file beside <paramref name="path"/> and renames it into place, so that a failed download leaves nothing.</summary>
    private async Task<bool> DownloadAsync(S3Root location, string path, ObjectProgress progress, CancellationToken cancellationToken)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.part";
        SafeFileHandle? handle = null;
        try
        {
            await ReadAsync(location, progress, size =>
            {
                // A local failure is no reason to ask S3 again: it ends the download at once, naming the file.
                try
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous, preallocationSize: size);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw CannotWrite(path, e);
                }

                return async (offset, bytes, token) =>
                {
                    try
                    {
                        await RandomAccess.WriteAsync(handle, bytes, offset, token).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        throw CannotWrite(path, e);
                    }
                };
            }, cancellationToken).ConfigureAwait(false);
            handle?.Dispose();
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            handle?.Dispose();
            // The download's own error is the one to report, not one from removing a file that may never have been made.
            Flow.Datastore.LocalFiles.DeleteQuietly(temp);
            throw;
        }

        return true;
    }

    private static FlowException CannotWrite(string path, Exception e) => new($"Cannot write {path}: {e.Message}", e);

    /// <summary>
    /// Reads an object, handing the bytes to the sink that <paramref name="open"/> makes once the size is known: whole
    /// in one answer when it is no larger than a part (<see cref="ReadWholeAsync"/>), else part by part as it was
    /// uploaded. The first GET for parts asks for part 1, which for an object uploaded whole is the whole object (one
    /// request); an object uploaded in parts has its other parts fetched in parallel, each pinned to the ETag of the
    /// first answer, so that an object replaced meanwhile is an error and never a mix of two versions. Every body is
    /// read to its end, where the SDK checks it against the checksum S3 sent with it.
    /// </summary>
    private Task ReadAsync(S3Root location, ObjectProgress progress, Func<long, Sink> open, CancellationToken cancellationToken) =>
        _errors.CallAsync("read", location.Bucket, location.Prefix, async () =>
        {
            if (await ReadWholeAsync(location, progress, open, cancellationToken).ConfigureAwait(false))
            {
                progress.Done();
                return true;
            }

            Sink sink;
            string etag;
            int parts;
            long size;
            using (var first = await GetPartAsync(location, 1, null, cancellationToken).ConfigureAwait(false))
            {
                parts = first.PartsCount ?? 1;
                size = parts == 1 ? first.ContentLength
                    : Range(first.ContentRange).Total is >= 0 and var total ? total
                    : throw new S3DataException($"the answer for part 1 of {parts} does not say the object's size (Content-Range: {first.ContentRange})");
                etag = first.ETag;
                progress.Sized(size);
                sink = open(size);
                await CopyAsync(first, size, sink, progress, null, cancellationToken).ConfigureAwait(false);
            }

            await Parallel.ForAsync(2, parts + 1, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken }, async (part, token) =>
            {
                using var response = await GetPartAsync(location, part, etag, token).ConfigureAwait(false);
                await CopyAsync(response, size, sink, progress, null, token).ConfigureAwait(false);
            }).ConfigureAwait(false);
            progress.Done();
            return true;
        }, cancellationToken);

    /// <summary>
    /// Reads an object of at most <see cref="S3TransferOptions.PartSize"/> bytes with one GET of that range; false,
    /// having handed nothing to a sink, when the object is larger or empty, or when the answer could not be checked.
    /// A range spares the SDK's MD5 of the body against the ETag, which costs more CPU than the transfer itself: where
    /// S3 sends a checksum with the answer, the SDK checks that (a CRC32, far cheaper); where it does not, the body is
    /// checked here against the ETag's MD5, as the SDK would have; and where neither can be done (an ETag that is not an
    /// MD5, and no checksum), the object is read again by parts, whose answers carry the checksums of the parts.
    /// </summary>
    private async Task<bool> ReadWholeAsync(S3Root location, ObjectProgress progress, Func<long, Sink> open, CancellationToken cancellationToken)
    {
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = location.Bucket,
                Key = location.Prefix,
                ByteRange = new ByteRange(0, _options.PartSize - 1),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // An empty object has no first byte; the GET of part 1 reads it.
            return false;
        }

        using (response)
        {
            // A server that ignores the range answers with the whole object and no Content-Range.
            var (start, total) = Range(response.ContentRange);
            var size = total >= 0 ? total : response.ContentLength;
            var checkedBySdk = response.ResponseMetadata?.ChecksumAlgorithm is { } algorithm && algorithm != CoreChecksumAlgorithm.NONE;
            var md5 = checkedBySdk ? null : EtagMd5(response);
            if (start != 0 || size == 0 || response.ContentLength != size || (!checkedBySdk && md5 is null))
            {
                return false;
            }

            progress.Sized(size);
            var sink = open(size);
            using var hash = md5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            await CopyAsync(response, size, sink, progress, hash, cancellationToken).ConfigureAwait(false);
            if (hash is not null && !hash.GetHashAndReset().AsSpan().SequenceEqual(md5))
            {
                throw new S3DataException("the body's MD5 hash differs from the object's ETag: the data was damaged on the way");
            }

            return true;
        }
    }

    /// <summary>The MD5 an ETag stands for: that of an object uploaded whole and not encrypted with a key of KMS or of the caller (whose ETags are not MD5s of the data); else null.</summary>
    private static byte[]? EtagMd5(GetObjectResponse response)
    {
        var etag = response.ETag?.Trim('"');
        var encrypted = (response.ServerSideEncryptionCustomerMethod is { } method && method != ServerSideEncryptionCustomerMethod.None)
            || !string.IsNullOrEmpty(response.ServerSideEncryptionKeyManagementServiceKeyId);
        return !encrypted && etag is { Length: 32 } && etag.All(char.IsAsciiHexDigit) ? Convert.FromHexString(etag) : null;
    }

    private Task<GetObjectResponse> GetPartAsync(S3Root location, int part, string? etag, CancellationToken cancellationToken) =>
        _client.GetObjectAsync(new GetObjectRequest { BucketName = location.Bucket, Key = location.Prefix, PartNumber = part, EtagToMatch = etag }, cancellationToken);

    /// <summary>
    /// Copies a body to the sink at its offset in the object of <paramref name="size"/> bytes, a full buffer at a time
    /// (adding each to <paramref name="hash"/> when there is one), then reads it to its end.
    /// </summary>
    private static async Task CopyAsync(GetObjectResponse response, long size, Sink sink, ObjectProgress progress, IncrementalHash? hash, CancellationToken cancellationToken)
    {
        var offset = Range(response.ContentRange).Start;
        var length = response.ContentLength;
        if (offset + length > size)
        {
            throw new S3DataException($"a part of {length} bytes at {offset} lies beyond the object's {size} bytes");
        }

        var body = response.ResponseStream;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            for (long done = 0; done < length;)
            {
                var want = (int)Math.Min(ReadSize, length - done);
                var read = await body.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read < want)
                {
                    throw new S3DataException($"a body ended after {done + read} of its {length} bytes");
                }

                hash?.AppendData(buffer, 0, read);
                await sink(offset + done, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                done += read;
                progress.Add(read);
            }

            if (await body.ReadAsync(buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new S3DataException($"a body has more than the {length} bytes announced");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The start and the object's total size from a <c>Content-Range</c> of <c>bytes START-END/TOTAL</c>; (0, -1) without one.</summary>
    private static (long Start, long Total) Range(string? contentRange)
    {
        var match = contentRange is null ? null : ContentRange().Match(contentRange);
        return match is { Success: true }
            ? (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : (0, -1);
    }

    [GeneratedRegex(@"^bytes (\d+)-\d+/(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ContentRange();

    /// <summary>
    /// Uploads a file (<paramref name="path"/>) or bytes in memory (<paramref name="data"/>) of <paramref name="size"/>
    /// bytes: one <c>PutObject</c> below the multipart threshold, else a multipart upload of its own.
    /// </summary>
    private async Task<bool> UploadAsync(S3Root location, string? path, ReadOnlyMemory<byte> data, long size, ObjectProgress progress, CancellationToken cancellationToken)
    {
        // One array for every part of a body in memory: MemoryStreams over slices of it, no copy (a body that is
        // not an array's is copied once).
        var array = path is not null ? default : MemoryMarshal.TryGetArray(data, out var segment) ? segment : new ArraySegment<byte>(data.ToArray());
        await _errors.CallAsync("write", location.Bucket, location.Prefix, async () =>
        {
            if (size < _options.MultipartThreshold)
            {
                var put = new PutObjectRequest { BucketName = location.Bucket, Key = location.Prefix, UseChunkEncoding = false, ChecksumAlgorithm = ChecksumAlgorithm.CRC32 };
                if (path is null)
                {
                    put.InputStream = new MemoryStream(array.Array!, array.Offset, array.Count, writable: false);
                    put.ChecksumCRC32 = Crc32Of(array);
                }
                else
                {
                    put.FilePath = path;
                    put.ChecksumCRC32 = await Crc32OfFileAsync(path, 0, size, cancellationToken).ConfigureAwait(false);
                }

                await _client.PutObjectAsync(put, cancellationToken).ConfigureAwait(false);
                return true;
            }

            await UploadPartsAsync(location, path, array, size, progress, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        progress.Done();
        return true;
    }

    /// <summary>
    /// A multipart upload, <see cref="S3TransferOptions.Parallelism"/> parts at once, each part read from the file at
    /// its offset (or a slice of the array) and sent as a plain body with its CRC32 in a header, which S3 checks;
    /// the object gets the composite CRC32 of its parts. An upload that fails is aborted, so that no parts are left
    /// stored (and billed) behind it.
    /// </summary>
    private async Task UploadPartsAsync(S3Root location, string? path, ArraySegment<byte> array, long size, ObjectProgress progress, CancellationToken cancellationToken)
    {
        // S3 takes at most 10,000 parts: a larger object goes in larger parts (rounded up to whole MiB).
        var partSize = Math.Max(_options.PartSize, ((size + MaxParts - 1) / MaxParts + (1 << 20) - 1) >> 20 << 20);
        var count = (int)((size + partSize - 1) / partSize);
        var upload = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = location.Bucket,
            Key = location.Prefix,
            ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            var parts = new PartETag[count];
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken }, async (i, token) =>
            {
                var offset = i * partSize;
                var length = Math.Min(partSize, size - offset);
                var request = new UploadPartRequest
                {
                    BucketName = location.Bucket,
                    Key = location.Prefix,
                    UploadId = upload.UploadId,
                    PartNumber = i + 1,
                    PartSize = length,
                    ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
                    UseChunkEncoding = false,
                };
                if (path is null)
                {
                    request.InputStream = new MemoryStream(array.Array!, array.Offset + (int)offset, (int)length, writable: false);
                    request.ChecksumCRC32 = Crc32Of(array.AsSpan((int)offset, (int)length));
                }
                else
                {
                    (request.FilePath, request.FilePosition) = (path, offset);
                    request.ChecksumCRC32 = await Crc32OfFileAsync(path, offset, length, token).ConfigureAwait(false);
                }

                var response = await _client.UploadPartAsync(request, token).ConfigureAwait(false);
                parts[i] = new PartETag(i + 1, response.ETag) { ChecksumCRC32 = response.ChecksumCRC32 };
                progress.Add(length);
            }).ConfigureAwait(false);
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = location.Bucket,
                Key = location.Prefix,
                UploadId = upload.UploadId,
                PartETags = [.. parts],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await AbortQuietlyAsync(location, upload.UploadId).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The CRC32 of a body as S3 takes it (big-endian, base64), which S3 checks the body against and stores. Given with
    /// the request, it spares the SDK's own pass over the body for it, which costs several times as much CPU.
    /// </summary>
    private static string Crc32Of(ReadOnlySpan<byte> data) => Crc32Text(Crc32.HashToUInt32(data));

    /// <summary>The CRC32 of <paramref name="length"/> bytes of a file from <paramref name="offset"/>, as <see cref="Crc32Of"/> gives it.</summary>
    private static async Task<string> Crc32OfFileAsync(string path, long offset, long length, CancellationToken cancellationToken)
    {
        var crc = new Crc32();
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
            for (long done = 0; done < length;)
            {
                var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, (int)Math.Min(ReadSize, length - done)), offset + done, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new S3DataException($"{path} ended after {offset + done} bytes; it changed while it was being uploaded");
                }

                crc.Append(buffer.AsSpan(0, read));
                done += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Crc32Text(crc.GetCurrentHashAsUInt32());
    }

    private static string Crc32Text(uint crc)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, crc);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>Aborts a multipart upload that failed; the upload's own error is the one to report, not one from aborting it.</summary>
    private async Task AbortQuietlyAsync(S3Root location, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = location.Bucket, Key = location.Prefix, UploadId = uploadId }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or IOException or HttpRequestException or OperationCanceledException)
        {
        }
    }

    /// <summary>Takes bytes of one object at their offset in it.</summary>
    private delegate ValueTask Sink(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Counts bytes and objects over a whole call and tells the callback, one report at a time, in order.</summary>
    private sealed class Tracker(IProgress<S3TransferProgress>? sink, int objects, long totalBytes)
    {
        private readonly Lock _gate = new();
        private long _bytes;
        private long _total = totalBytes;
        private int _objects;

        /// <summary>The progress of one object, of <paramref name="size"/> bytes when known up front (then already in the total).</summary>
        public ObjectProgress Object(long size = -1) => new(this, size);

        public void Update(long bytes, long total, int objectsDone)
        {
            lock (_gate)
            {
                _bytes += bytes;
                _total += total;
                _objects += objectsDone;
                sink?.Report(new S3TransferProgress(_bytes, _total, _objects, objects));
            }
        }
    }

    /// <summary>
    /// One object's share of the progress, counted as its parts finish, in any order: the count only moves forward,
    /// never past the object's size, and ends exact.
    /// </summary>
    private sealed class ObjectProgress(Tracker tracker, long size)
    {
        private readonly Lock _gate = new();
        private long _size = size;
        private long _done;

        public void Sized(long bytes)
        {
            lock (_gate)
            {
                if (_size < 0 && bytes >= 0)
                {
                    _size = bytes;
                    tracker.Update(0, bytes, 0);
                }
            }
        }

        public void Add(long bytes)
        {
            lock (_gate)
            {
                MoveTo(_done + bytes);
            }
        }

        private void MoveTo(long bytes)
        {
            var done = _size < 0 ? bytes : Math.Min(bytes, _size);
            if (done > _done)
            {
                tracker.Update(done - _done, 0, 0);
                _done = done;
            }
        }

        public void Done()
        {
            lock (_gate)
            {
                tracker.Update(Math.Max(0, _size - _done), 0, 1);
                _done = Math.Max(_done, _size);
            }
        }
    }
}
