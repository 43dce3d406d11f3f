using Flow.Datastore;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>Which datastore is chosen: command line, then environment, then config file, then the local default.</summary>
public class DatastoreConfigTests
{
    private string _folder = "";
    private string _file = "";

    [SetUp]
    public void CreateFolder()
    {
        _folder = Directory.CreateTempSubdirectory("flow-config-").FullName;
        _file = Path.Combine(_folder, "config.json");
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private DatastoreConfig Resolve(string? kind, string? root, Dictionary<string, string>? environment = null, string? file = null)
    {
        if (file is not null)
        {
            File.WriteAllText(_file, file);
        }

        return DatastoreConfig.Resolve(kind, root, name => environment?.GetValueOrDefault(name), _file);
    }

    private static Dictionary<string, string> Env(string? kind, string? root)
    {
        var environment = new Dictionary<string, string>();
        if (kind is not null)
        {
            environment["FLOW_DATASTORE"] = kind;
        }

        if (root is not null)
        {
            environment["FLOW_DATASTORE_ROOT"] = root;
        }

        return environment;
    }

    [Test]
    public void NothingConfiguredIsTheLocalFolderDotFlow() =>
        Assert.That(Resolve(null, null), Is.EqualTo(new DatastoreConfig(DatastoreKind.Local, ".flow")));

    [Test]
    public void AnS3RootImpliesS3() =>
        Assert.That(Resolve(null, "s3://bucket/runs"), Is.EqualTo(new DatastoreConfig(DatastoreKind.S3, "s3://bucket/runs")));

    [Test]
    public void TheCommandLineWinsOverTheEnvironmentAndTheFile()
    {
        var file = """{ "FLOW_DATASTORE_ROOT": "s3://file-bucket/x" }""";
        Assert.That(Resolve(null, "/tmp/here", Env("s3", "s3://env-bucket/x"), file), Is.EqualTo(new DatastoreConfig(DatastoreKind.Local, "/tmp/here")));
        Assert.That(Resolve("local", null, Env(null, "s3://env-bucket/x"), file), Is.EqualTo(new DatastoreConfig(DatastoreKind.Local, ".flow")));
        Assert.That(Resolve("s3", null, Env(null, "/tmp/env"), file), Is.EqualTo(new DatastoreConfig(DatastoreKind.S3, "s3://file-bucket/x")));
    }

    [Test]
    public void TheEnvironmentWinsOverTheFile()
    {
        var file = """{ "FLOW_DATASTORE": "local", "FLOW_DATASTORE_ROOT": "/tmp/file" }""";
        Assert.That(Resolve(null, null, Env(null, "s3://env-bucket/x"), file), Is.EqualTo(new DatastoreConfig(DatastoreKind.S3, "s3://env-bucket/x")));
        Assert.That(Resolve(null, null, Env("local", null), file), Is.EqualTo(new DatastoreConfig(DatastoreKind.Local, "/tmp/file")));
    }

    [Test]
    public void TheFileIsUsedWhenNothingElseSaysAnything() =>
        Assert.That(
            Resolve(null, null, null, """{ "FLOW_DATASTORE": "s3", "FLOW_DATASTORE_ROOT": "s3://team/flows" }"""),
            Is.EqualTo(new DatastoreConfig(DatastoreKind.S3, "s3://team/flows")));

    [Test]
    public void TheFileCanGiveTheRootOfAKindChosenInTheEnvironment() =>
        Assert.That(Resolve(null, null, Env("s3", null), """{ "FLOW_DATASTORE_ROOT": "s3://team/flows" }"""), Is.EqualTo(new DatastoreConfig(DatastoreKind.S3, "s3://team/flows")));

    [Test]
    public void S3WithoutAnS3RootIsAClearError() =>
        Assert.That(() => Resolve("s3", null), Throws.TypeOf<FlowException>().With.Message.Contains("has no root").And.Message.Contains("s3://BUCKET/PREFIX"));

    [Test]
    public void AKindThatContradictsItsRootIsAClearError() =>
        Assert.That(() => Resolve(null, null, Env("s3", "/tmp/local")), Throws.TypeOf<FlowException>().With.Message.Contains("the environment").And.Message.Contains("a local folder"));

    [Test]
    public void AnUnknownKindIsAClearError() =>
        Assert.That(() => Resolve(null, null, Env("gcs", null)), Throws.TypeOf<FlowException>().With.Message.Contains("'gcs'").And.Message.Contains("local or s3"));

    [Test]
    public void ABrokenConfigFileIsNamed() =>
        Assert.That(() => Resolve(null, null, null, "{ not json"), Throws.TypeOf<FlowException>().With.Message.Contains(_file));

    [Test]
    public void TheConfigFileLivesInFlowHomeElseInTheHomeFolder()
    {
        Assert.That(DatastoreConfig.ConfigFilePath(name => name == "FLOW_HOME" ? "/opt/flow" : "/home/savin"), Is.EqualTo("/opt/flow/config.json"));
        Assert.That(DatastoreConfig.ConfigFilePath(name => name == "HOME" ? "/home/savin" : null), Is.EqualTo("/home/savin/.flowconfig/config.json"));
    }
}
