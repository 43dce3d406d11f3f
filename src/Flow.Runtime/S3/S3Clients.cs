using Amazon.Runtime;
using Amazon.S3;

namespace Flow.S3;

/// <summary>Creates S3 clients from the AWS SDK's own settings (credentials, region, endpoint, profiles).</summary>
public static class S3Clients
{
    /// <summary>How many times a failed S3 call of the datastore is retried by the SDK.</summary>
    public const int DatastoreRetries = 6;

    /// <summary>
    /// The client configuration the SDK reads from its standard settings (<c>AWS_REGION</c>, <c>AWS_PROFILE</c>,
    /// <c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_ENDPOINT_URL</c>, <c>endpoint_url</c> in a profile), with path-style
    /// addressing for a custom endpoint (S3-compatible stores and local servers have no per-bucket host names).
    /// </summary>
    public static AmazonS3Config DefaultConfig()
    {
        // The SDK's retry policy is the only one; a datastore call is tried up to 7 times (as Metaflow's are), so that
        // a store that answers 500 or 503 under load (throttling, a busy S3-compatible server) does not fail a task.
        var config = new AmazonS3Config { MaxErrorRetry = DatastoreRetries };
        var endpoint = config.ServiceURL;
        var region = config.RegionEndpoint?.SystemName
            ?? Environment.GetEnvironmentVariable("AWS_REGION")
            ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        if (string.IsNullOrEmpty(endpoint))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(string.IsNullOrEmpty(region) ? "us-east-1" : region);
            return config;
        }

        // Setting a region clears the service URL, so the endpoint goes last.
        config.AuthenticationRegion = string.IsNullOrEmpty(region) ? "us-east-1" : region;
        config.ServiceURL = endpoint;
        config.ForcePathStyle = true;
        return config;
    }

    /// <summary>A client with <paramref name="config"/> (default: <see cref="DefaultConfig"/>) and <paramref name="credentials"/> (default: the SDK's credential chain).</summary>
    public static AmazonS3Client Create(AmazonS3Config? config = null, AWSCredentials? credentials = null)
    {
        config ??= DefaultConfig();
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }
}
