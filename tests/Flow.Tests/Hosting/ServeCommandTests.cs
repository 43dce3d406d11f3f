using System.CommandLine;
using Flow.Cli;
using Flow.Hosting;
using NUnit.Framework;

namespace Flow.Tests.Hosting;

/// <summary>The serve command's command line, and how a package adds a command to a flow program.</summary>
public class ServeCommandTests
{
    private string _root = "";

    [SetUp]
    public void CreateDatastore() => _root = Directory.CreateTempSubdirectory("flow-serve-").FullName;

    [TearDown]
    public void DeleteDatastore() => Directory.Delete(_root, recursive: true);

    private (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = FlowApp.Run(args, FlowApp.DefinitionOf<PriceFlow>(), output, error, WebService.ServeCommand<PriceService>());
        return (code, output.ToString(), error.ToString());
    }

    [Test]
    public void HelpListsServeWithItsRoutesAndOptions()
    {
        var (code, output, _) = Run("serve", "--help");

        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("GET /show_data").And.Contain("POST /what_if"));
        foreach (var option in new[] { "--urls", "--namespace", "--tag", "--run", "--refresh", "--max-body-size" })
        {
            Assert.That(output, Does.Contain(option));
        }

        Assert.That(Run("--help").Output, Does.Contain("serve"));
    }

    [TestCase("--refresh", "0")]
    [TestCase("--refresh", "-3")]
    [TestCase("--max-body-size", "0")]
    [TestCase("--refresh", "soon")]
    public void BadValuesAreUsageErrorsThatNameTheOption(string option, string value)
    {
        var (code, _, error) = Run("serve", option, value, "--datastore-root", _root);

        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.Contain(option));
    }

    [Test]
    public void AStrayArgumentOrAPathLikeRunIdIsAUsageErrorBeforeAnythingListens()
    {
        var (code, _, error) = Run("serve", "now", "--datastore-root", _root);
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.Contain("'now'"));

        (code, _, error) = Run("serve", "--run", "../../etc", "--datastore-root", _root);
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.Contain("run id"));
    }

    [Test]
    public void AMisspeltOptionIsAUsageErrorListingServesOptions()
    {
        Directory.CreateDirectory(Path.Combine(_root, "store"));
        var (code, _, error) = Run("serve", "--namepsace", "production:abc", "--datastore-root", Path.Combine(_root, "store"));

        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.Contain("'--namepsace'").And.Contain("--namespace"));
    }

    [TestCase("notaurl")]
    [TestCase("http://127.0.0.1:99999")]
    public void AnAddressItCannotListenOnIsAUsageError(string urls)
    {
        Directory.CreateDirectory(Path.Combine(_root, "store"));
        var (code, _, error) = Run("serve", "--urls", urls, "--datastore-root", Path.Combine(_root, "store"), "--Logging:LogLevel:Default=None");

        Assert.That(code, Is.EqualTo(ExitCodes.UsageError), error);
        Assert.That(error, Does.Contain("cannot listen on " + urls));
    }

    [Test]
    public void AMissingDatastoreIsAUsageError()
    {
        var (code, _, error) = Run("serve", "--datastore-root", Path.Combine(_root, "nothing-here"));

        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.Contain("There is no datastore"));
    }

    [TestCase(new[] { "--Logging:LogLevel:Default=Warning" }, null)]
    [TestCase(new[] { "--Kestrel:Limits:MaxConcurrentConnections", "10" }, null)]
    [TestCase(new[] { "--Kestrel:Limits:MaxConcurrentConnections", "10", "now" }, "now")]
    [TestCase(new[] { "--" }, "--")]
    [TestCase(new[] { "--environment", "Production" }, null)]
    [TestCase(new[] { "--namepsace", "production:abc" }, "--namepsace")]
    public void ConfigurationArgumentsAreKeyValuePairs(string[] args, string? stray) =>
        Assert.That(HostArguments.Stray(args), Is.EqualTo(stray));

    [Test]
    public void APackageCannotTakeTheNameOfAFlowCommandOrAddOneTwice()
    {
        Assert.Throws<ArgumentException>(() => FlowApp.Run(["show"], FlowApp.DefinitionOf<PriceFlow>(), TextWriter.Null, TextWriter.Null, new Named("run")));
        Assert.Throws<ArgumentException>(() => FlowApp.Run(["show"], FlowApp.DefinitionOf<PriceFlow>(), TextWriter.Null, TextWriter.Null, new Named("extra"), new Named("extra")));
        Assert.That(FlowApp.Run(["extra"], FlowApp.DefinitionOf<PriceFlow>(), TextWriter.Null, TextWriter.Null, new Named("extra")), Is.EqualTo(42));
    }

    private sealed class Named(string name) : FlowProgramCommand
    {
        public override string Name => name;

        public override FlowDefinition Flow => FlowApp.DefinitionOf<PriceFlow>();

        public override Command Create(FlowCommandContext context)
        {
            var command = new Command(name);
            command.SetAction(_ => 42);
            return command;
        }
    }
}
