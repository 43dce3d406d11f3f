using Flow.Datastore;
using Flow.S3;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>Every S3 call, from the datastore or a transfer, fails with the same clear form of error, never showing a credential.</summary>
public class S3ErrorTests
{
    private static MotoServer Moto => MotoServer.Current;

    [Test]
    public void AMissingBucketIsTheSameErrorFromTheDatastoreAndFromATransfer()
    {
        var bucket = $"no-such-bucket-{Guid.NewGuid():N}"[..40];
        var fromStore = Assert.ThrowsAsync<FlowException>(() => Moto.Open($"s3://{bucket}/flows").Metadata.GetRunAsync("SomeFlow", "1-ab"));
        using var transfer = new S3Transfer(new S3TransferOptions(), MotoServer.Config(Moto.Endpoint), MotoServer.Credentials);
        var fromTransfer = Assert.ThrowsAsync<FlowException>(() => transfer.GetAsync($"s3://{bucket}/data/x.bin"));

        Assert.That(fromStore!.Message, Does.StartWith($"Cannot read s3://{bucket}/flows/SomeFlow/1-ab/run.json: the bucket {bucket} does not exist; create it or fix {DatastoreConfig.RootVariable}."));
        Assert.That(fromTransfer!.Message, Does.StartWith($"Cannot read s3://{bucket}/data/x.bin: the bucket {bucket} does not exist; create it or fix the s3:// location."));
        AssertNoCredentials(fromStore.Message + fromTransfer.Message);
    }

    [Test]
    public void CredentialsTheServerRefusesAreTheSameErrorFromTheDatastoreAndFromATransferWithoutTheSecret()
    {
        using var endpoint = new ForbiddingEndpoint();
        var store = Moto.Open($"s3://{MotoServer.Bucket}/flows", endpoint.Endpoint);
        var messages = new List<string>
        {
            Assert.ThrowsAsync<FlowException>(() => store.Metadata.GetRunAsync("SomeFlow", "1-ab"))!.Message,
            Assert.ThrowsAsync<FlowException>(() => store.Metadata.ListRunsAsync("SomeFlow"))!.Message,
        };
        using (var transfer = new S3Transfer(new S3TransferOptions(), MotoServer.Config(endpoint.Endpoint), MotoServer.Credentials))
        {
            messages.Add(Assert.ThrowsAsync<FlowException>(() => transfer.GetAsync($"s3://{MotoServer.Bucket}/data/x.bin"))!.Message);
            messages.Add(Assert.ThrowsAsync<FlowException>(() => transfer.GetFileAsync($"s3://{MotoServer.Bucket}/data/x.bin", Path.Combine(Path.GetTempPath(), $"flow-{Guid.NewGuid():N}.bin")))!.Message);
        }

        foreach (var message in messages)
        {
            Assert.That(message, Does.Match($"^Cannot (read|list) s3://{MotoServer.Bucket}/\\S+: access denied \\(InvalidAccessKeyId: "));
            Assert.That(message, Does.Contain("check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE)").And.Contain("***"));
            AssertNoCredentials(message);
        }
    }

    private static void AssertNoCredentials(string text)
    {
        Assert.That(text, Does.Not.Contain(MotoServer.AccessKey));
        Assert.That(text, Does.Not.Contain(MotoServer.SecretKey));
    }
}
