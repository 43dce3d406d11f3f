using System.Net;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;

namespace Flow.S3;

/// <summary>
/// The one place where a failed S3 call becomes an error users read, for the datastore and for transfers alike:
/// <c>Cannot OPERATION s3://bucket/key: REASON</c>, where the reason says what to fix, and no credential in use
/// (nor anything shaped like an AWS key id) ever appears.
/// </summary>
/// <param name="client">The client of the calls: its endpoint is named when it does not answer, its credentials are masked.</param>
/// <param name="credentials">The credentials given to the client, or null for the SDK's credential chain.</param>
/// <param name="locationSetting">What the user changes to point at another bucket (a setting's name, or the location itself).</param>
/// <param name="afterOutage">What to do once an endpoint that did not answer is back.</param>
internal sealed partial class S3ErrorTranslator(IAmazonS3 client, AWSCredentials? credentials, string locationSetting, string afterOutage)
{
    /// <summary>Whether <paramref name="e"/> is a failure of an S3 call (the SDK's, or the connection's) rather than a fault of the caller.</summary>
    public static bool Handles(Exception e) =>
        Inner(e) is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException;

    /// <summary>Whether S3 answered that the object is not there (and the bucket is).</summary>
    public static bool IsMissingObject(Exception e) =>
        Inner(e) is AmazonS3Exception s && (s.ErrorCode == "NoSuchKey" || (s.StatusCode == HttpStatusCode.NotFound && s.ErrorCode != "NoSuchBucket"));

    /// <summary>Runs one S3 call (which may make several requests) and translates its failure; a cancellation asked for by the caller passes through.</summary>
    public async Task<T> CallAsync<T>(string operation, string bucket, string key, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Handles(e))
        {
            throw Translate(operation, bucket, key, e);
        }
    }

    /// <summary>The error users see for a failed <paramref name="operation"/> (a verb: read, write, list) on <c>s3://bucket/key</c>.</summary>
    public FlowException Translate(string operation, string bucket, string key, Exception e) =>
        new(Scrub($"Cannot {operation} s3://{bucket}/{key}: {Reason(Inner(e), bucket)}"), e);

    private string Reason(Exception e, string bucket) => e switch
    {
        AmazonS3Exception { ErrorCode: "NoSuchBucket" } =>
            $"the bucket {bucket} does not exist; create it or fix {locationSetting}.",
        _ when IsMissingObject(e) => "there is no such object.",
        AmazonServiceException { StatusCode: HttpStatusCode.Forbidden } s =>
            $"access denied ({s.ErrorCode}: {s.Message}); check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE) and their permissions on the bucket.",
        AmazonServiceException { StatusCode: HttpStatusCode.PreconditionFailed } =>
            "the object was replaced while it was being read; read it again.",
        S3DataException d => $"{d.Message}; nothing of it was kept, try again.",
        AmazonServiceException { InnerException: HttpRequestException or IOException } s => $"{Unreachable()} ({s.InnerException!.Message}).",
        AmazonServiceException s => $"{(int)s.StatusCode} {s.ErrorCode}: {s.Message}",
        AmazonClientException { InnerException: HttpRequestException or IOException } c => $"{Unreachable()} ({c.InnerException!.Message}).",
        AmazonClientException c => $"the AWS SDK rejected the request or its answer ({c.Message}).",
        HttpRequestException or IOException => $"{Unreachable()} ({e.Message}).",
        OperationCanceledException => $"{Unreachable()} (the request timed out).",
        _ => e.Message,
    };

    private static Exception Inner(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? Inner(a.InnerExceptions[0]) : e;

    private string Unreachable() => $"the S3 endpoint {Endpoint()} did not answer; check that it is up and reachable, then {afterOutage}";

    private string Endpoint()
    {
        var url = client.Config.ServiceURL;
        if (string.IsNullOrEmpty(url))
        {
            return $"of region {client.Config.RegionEndpoint?.SystemName ?? "(none)"}";
        }

        // A URL may carry user information; it never goes into a message.
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority.Split('@')[^1]}" : "(custom)";
    }

    /// <summary>Removes the credentials in use, and anything shaped like an AWS key id, from a message.</summary>
    private string Scrub(string message)
    {
        ImmutableCredentials? secrets = null;
        try
        {
            secrets = (credentials ?? Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials(client.Config)).GetCredentials();
        }
        catch (Exception e) when (e is AmazonClientException or InvalidOperationException or IOException)
        {
            // No credentials can be found, so none can leak.
        }

        foreach (var secret in new[] { secrets?.SecretKey, secrets?.Token, secrets?.AccessKey })
        {
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
            {
                message = message.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return AccessKeyId().Replace(message, "***");
    }

    [GeneratedRegex("\\b(AKIA|ASIA)[A-Z0-9]{12,}\\b", RegexOptions.CultureInvariant)]
    private static partial Regex AccessKeyId();
}
