using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Redshifter.Engine.Aws;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Storage;

/// <summary>One object of a listing.</summary>
public sealed record S3ObjectInfo(string Bucket, string Key, long Size, DateTimeOffset? LastModified)
{
    public string Uri => S3Uri.Format(Bucket, Key);
}

/// <summary>A page of a listing: keys in order, plus the common prefixes when a delimiter was given.</summary>
public sealed record S3ListPage(IReadOnlyList<S3ObjectInfo> Objects, IReadOnlyList<string> CommonPrefixes, bool IsTruncated, string? ContinuationToken);

/// <summary>
/// The engine's S3 access: the few calls Redshifter makes, with errors turned into messages for
/// people, and a request counter (discovery must stay O(log N) in requests; tests check it).
/// </summary>
public sealed partial class S3Storage : IDisposable
{
    private readonly IAmazonS3 _client;
    private long _requests;

    /// <summary>
    /// How long a read of an object's body may bring no byte before the connection counts as broken and
    /// the read is resumed (see <see cref="OpenReadAsync"/>): without it, an S3 that stalls without closing
    /// the connection would hold a load (and its table's lock) until someone pressed Ctrl+C.
    /// </summary>
    public TimeSpan ReadIdleTimeout { get; internal set; } = TimeSpan.FromSeconds(60);

    /// <summary>S3 requests made so far (a request the SDK retried counts once).</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>Where the credentials came from (a name, never a value), for -Debug.</summary>
    public string CredentialSource { get; }

    public S3Settings Settings { get; }

    internal AWSCredentials Credentials { get; }

    private S3Storage(IAmazonS3 client, AWSCredentials credentials, string credentialSource, S3Settings settings)
    {
        _client = client;
        Credentials = credentials;
        CredentialSource = credentialSource;
        Settings = settings;
        if (client is AmazonServiceClient serviceClient)
        {
            serviceClient.BeforeRequestEvent += (_, _) => Interlocked.Increment(ref _requests);
        }
    }

    public static S3Storage Create(S3Settings settings, IEnvironment env)
    {
        var (credentials, source) = AwsCredentialChain.Resolve(settings.ProfileName, env);
        // Retries are the SDK's (v4: standard mode, 3 attempts; AWS_RETRY_MODE and AWS_MAX_ATTEMPTS change
        // them): 500/503 and refused connections are retried (S3FaultTests). A response body that breaks
        // off is not the SDK's to retry: OpenReadAsync resumes it.
        var config = new AmazonS3Config
        {
            RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region),
        };
        if (settings.ServiceUrl != null)
        {
            config.ServiceURL = settings.ServiceUrl;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = settings.Region;
        }
        return new S3Storage(new AmazonS3Client(credentials, config), credentials, source, settings);
    }

    /// <summary>One ListObjectsV2 call.</summary>
    public async Task<S3ListPage> ListPageAsync(string bucket, string prefix, string? startAfter, string? delimiter, int maxKeys, string? continuationToken, CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request
        {
            BucketName = bucket,
            Prefix = prefix,
            MaxKeys = maxKeys,
        };
        if (!string.IsNullOrEmpty(startAfter)) request.StartAfter = startAfter;
        if (!string.IsNullOrEmpty(delimiter)) request.Delimiter = delimiter;
        if (!string.IsNullOrEmpty(continuationToken)) request.ContinuationToken = continuationToken;
        var response = await Call(bucket, prefix, () => _client.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
        var objects = (response.S3Objects ?? []).Select(o => new S3ObjectInfo(bucket, o.Key, o.Size ?? 0, o.LastModified is { } lm ? new DateTimeOffset(lm.ToUniversalTime(), TimeSpan.Zero) : null)).ToList();
        return new S3ListPage(objects, response.CommonPrefixes ?? [], response.IsTruncated ?? false, response.NextContinuationToken);
    }

    /// <summary>Every key under a prefix (all pages; no hidden limit).</summary>
    public async IAsyncEnumerable<S3ObjectInfo> ListAllAsync(string bucket, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await ListPageAsync(bucket, prefix, null, null, 1000, token, cancellationToken).ConfigureAwait(false);
            foreach (var o in page.Objects) yield return o;
            token = page.IsTruncated ? page.ContinuationToken : null;
        } while (token != null);
    }

    /// <summary>One level of a listing: the common prefixes (folders, or groups up to the delimiter) and the objects, all pages.</summary>
    public async Task<(IReadOnlyList<string> Prefixes, IReadOnlyList<S3ObjectInfo> Objects)> ListLevelAsync(string bucket, string prefix, string delimiter, CancellationToken cancellationToken)
    {
        var prefixes = new List<string>();
        var objects = new List<S3ObjectInfo>();
        string? token = null;
        do
        {
            var page = await ListPageAsync(bucket, prefix, null, delimiter, 1000, token, cancellationToken).ConfigureAwait(false);
            prefixes.AddRange(page.CommonPrefixes);
            objects.AddRange(page.Objects);
            token = page.IsTruncated ? page.ContinuationToken : null;
        } while (token != null);
        return (prefixes, objects);
    }

    /// <summary>The object's size and time, or null when it does not exist.</summary>
    public async Task<S3ObjectInfo?> TryGetInfoAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            var m = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            return new S3ObjectInfo(bucket, key, m.ContentLength, m.LastModified is { } lm ? new DateTimeOffset(lm.ToUniversalTime(), TimeSpan.Zero) : null);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonServiceException ex)
        {
            throw Translate(ex, bucket, key);
        }
        catch (Exception ex) when (ex is HttpRequestException or AmazonClientException or IOException)
        {
            throw Unreachable(ex, bucket);
        }
    }

    /// <summary>
    /// Opens the object for reading; the caller disposes the stream. The SDK retries failed requests, but
    /// not a response body that breaks off (connection reset, server restarted): the stream resumes
    /// such a read itself, where it stopped, with a ranged GET of the same version (If-Match its ETag).
    /// When it cannot — no progress after <see cref="ResumingStream.MaxConsecutiveResumes"/> tries, or the
    /// object changed — a read throws <see cref="S3ReadException"/>, which says how far it got and why.
    /// <paramref name="onResume"/> hears of each resumption (for -Verbose).
    /// </summary>
    public async Task<Stream> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken, Action<string>? onResume = null)
    {
        var response = await Call(bucket, key, () => _client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, cancellationToken)).ConfigureAwait(false);
        return new ResumingStream(this, bucket, key, response, onResume);
    }

    /// <summary>
    /// The bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of an object,
    /// with one ranged GET: the end of a Parquet file (its schema) without the rest of it.
    /// </summary>
    public async Task<byte[]> ReadRangeAsync(string bucket, string key, long offset, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return await Call(bucket, key, async () =>
        {
            using var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = new ByteRange(offset, offset + length - 1) }, cancellationToken).ConfigureAwait(false);
            var bytes = new byte[length];
            var filled = 0;
            int read;
            while (filled < length && (read = await response.ResponseStream.ReadAsync(bytes.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0) filled += read;
            return filled == length ? bytes : bytes[..filled];
        }).ConfigureAwait(false);
    }

    /// <summary>Reads a whole (small) object as text: configs and manifests.</summary>
    public async Task<string> ReadAllTextAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        await using var stream = await OpenReadAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads an object (tests, the demo and sample data).</summary>
    public async Task PutAsync(string bucket, string key, Stream content, CancellationToken cancellationToken)
    {
        // Chunk encoding stores the chunk framing inside the object on some S3-compatible servers.
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = content, UseChunkEncoding = false, AutoCloseStream = false };
        await Call(bucket, key, () => _client.PutObjectAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    public Task PutAsync(string bucket, string key, byte[] content, CancellationToken cancellationToken) =>
        PutAsync(bucket, key, new MemoryStream(content, writable: false), cancellationToken);

    public async Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
        }
    }

    private async Task<T> Call<T>(string bucket, string keyOrPrefix, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            throw Translate(ex, bucket, keyOrPrefix);
        }
        catch (Exception ex) when (ex is HttpRequestException or AmazonClientException or IOException)
        {
            throw Unreachable(ex, bucket);
        }
    }

    private RedshifterException Unreachable(Exception ex, string bucket) => new(
        ErrorIds.SourceNotFound, ErrorKind.ResourceUnavailable,
        $"S3 could not be reached for bucket '{bucket}' ({Settings.ServiceUrl ?? "region " + Settings.Region}): {ex.Message}",
        "Check the network, AWS_REGION and AWS_ENDPOINT_URL_S3 (if set), then try again.", bucket, ex);

    /// <summary>S3 failures as errors that name the bucket and say what to do.</summary>
    internal static RedshifterException Translate(AmazonServiceException ex, string bucket, string keyOrPrefix)
    {
        var code = (ex as AmazonS3Exception)?.ErrorCode ?? ex.ErrorCode;
        var uri = S3Uri.Format(bucket, keyOrPrefix);
        if (code == "NoSuchBucket")
            return new RedshifterException(ErrorIds.SourceNotFound, ErrorKind.ObjectNotFound,
                $"The S3 bucket '{bucket}' does not exist (or is not in the configured region).",
                "Check -Bucket and AWS_REGION / AWS_ENDPOINT_URL_S3.", bucket, ex);
        if (code == "NoSuchKey" || ex.StatusCode == HttpStatusCode.NotFound)
            return new RedshifterException(ErrorIds.SourceNotFound, ErrorKind.ObjectNotFound,
                $"The S3 object {uri} does not exist.", "Check the key, or list the bucket to see what is there.", uri, ex);
        if (ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized || code is "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch")
            return new RedshifterException(ErrorIds.SourceNotFound, ErrorKind.PermissionDenied,
                $"Access to {uri} was denied ({code}).",
                $"Check the AWS credentials and that they may read bucket '{bucket}' (s3:ListBucket and s3:GetObject).", bucket, ex);
        return new RedshifterException(ErrorIds.SourceNotFound, ErrorKind.ResourceUnavailable,
            $"S3 request for {uri} failed: {ex.Message} ({code}, HTTP {(int)ex.StatusCode}).",
            "Check the network, AWS_REGION and AWS_ENDPOINT_URL_S3, then try again.", uri, ex);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// A GetObject response body that resumes after a mid-way failure (see <see cref="OpenReadAsync"/>).
    /// It owns the current response and disposes it.
    /// </summary>
    private sealed class ResumingStream : ForwardStream
    {
        /// <summary>Resumptions in a row that brought no byte: then the read fails.</summary>
        internal const int MaxConsecutiveResumes = 3;
        /// <summary>Resumptions of one object in all: a bound even for a connection that always breaks after some progress.</summary>
        internal const int MaxResumes = 100;

        private readonly S3Storage _storage;
        private readonly string _bucket;
        private readonly string _key;
        private readonly string? _etag;
        private readonly long _length;
        private readonly Action<string>? _onResume;
        private GetObjectResponse _response;
        private long _position;
        private int _consecutive;
        private int _resumes;

        public ResumingStream(S3Storage storage, string bucket, string key, GetObjectResponse response, Action<string>? onResume)
        {
            _storage = storage;
            _bucket = bucket;
            _key = key;
            _response = response;
            _etag = response.ETag;
            _length = response.ContentLength;
            _onResume = onResume;
        }

        private string Uri => S3Uri.Format(_bucket, _key);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                try
                {
                    int n;
                    using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        idle.CancelAfter(_storage.ReadIdleTimeout);
                        try
                        {
                            n = await _response.ResponseStream.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                        {
                            throw new TimeoutException($"no data came for {_storage.ReadIdleTimeout.TotalSeconds:N0} s");
                        }
                    }
                    if (n == 0 && buffer.Length > 0 && _length > 0 && _position < _length)
                        throw new IOException($"the response ended after {_position:N0} of {_length:N0} bytes");
                    if (n > 0) { _position += n; _consecutive = 0; }
                    return n;
                }
                catch (Exception ex) when (IsBrokenRead(ex) && !cancellationToken.IsCancellationRequested)
                {
                    if (_length > 0 && _position >= _length) return 0; // every byte arrived; only the connection's end failed
                    await ResumeAsync(ex, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private static bool IsBrokenRead(Exception ex) =>
            ex is IOException and not S3ReadException or HttpRequestException or System.Net.Sockets.SocketException or TimeoutException or AmazonClientException;

        // Reopens the object at the current position; gives up with S3ReadException when it cannot.
        private async Task ResumeAsync(Exception failure, CancellationToken cancellationToken)
        {
            var reason = failure;
            var tries = 0;
            _response.Dispose();
            while (true)
            {
                if (_consecutive >= MaxConsecutiveResumes || _resumes >= MaxResumes || _length <= 0)
                    throw new S3ReadException(
                        $"{Uri} broke off after {_position:N0} of {_length:N0} bytes and could not be resumed ({tries} {(tries == 1 ? "try" : "tries")}): {reason.Message}", reason);
                _consecutive++;
                _resumes++;
                tries++;
                _onResume?.Invoke($"{Uri}: the read broke off after {_position:N0} of {_length:N0} bytes ({reason.Message}); resuming there (try {_consecutive} of {MaxConsecutiveResumes}).");
                await Task.Delay(TimeSpan.FromMilliseconds(200 * _consecutive), cancellationToken).ConfigureAwait(false);
                try
                {
                    var request = new GetObjectRequest { BucketName = _bucket, Key = _key, ByteRange = new ByteRange(_position, _length - 1) };
                    if (_etag != null) request.EtagToMatch = _etag; // the same version, or 412
                    var response = await _storage._client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
                    if (_etag != null && response.ETag != null && response.ETag != _etag)
                    {
                        response.Dispose();
                        throw new S3ReadException($"{Uri} changed while it was being read (ETag {_etag} became {response.ETag}); nothing of it is kept", null);
                    }
                    _response = response;
                    return;
                }
                catch (AmazonServiceException ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    throw new S3ReadException($"{Uri} changed while it was being read (its ETag no longer matches); nothing of it is kept", ex);
                }
                catch (Exception ex) when ((ex is AmazonServiceException || IsBrokenRead(ex)) && !cancellationToken.IsCancellationRequested)
                {
                    reason = ex; // the SDK already retried this request: count it and try again, or give up
                }
            }
        }

        public override long Length => _length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _response.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// Reading an S3 object broke off and could not be resumed. An IOException (streams fail with those),
/// distinct from corrupt data: the loader reports it as an S3 failure, not as a bad file.
/// </summary>
internal sealed class S3ReadException(string message, Exception? inner) : IOException(message, inner);
