using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Flow.S3;

namespace Flow.Datastore;

/// <summary>Opens S3 datastores; kept apart so that a local run never loads the AWS SDK.</summary>
internal static class S3Datastores
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static FlowDatastore Open(string root) => Open(root, null, null);

    public static FlowDatastore Open(string root, AmazonS3Config? config, AWSCredentials? credentials)
    {
        var location = S3Root.Parse(root);
        var objects = new S3Objects(S3Clients.Create(config, credentials), location, credentials);
        return new FlowDatastore(new S3BlobStore(objects), new S3MetadataStore(objects), location.ToString());
    }
}
