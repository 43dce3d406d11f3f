using System.Net;
using System.Net.Sockets;
using Flow.Cli;
using Flow.Hosting;
using NUnit.Framework;

namespace Flow.Tests.Ui;

/// <summary>The ui command: bad input before anything listens, and the UI it serves.</summary>
public class UiCommandTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        var error = new StringWriter();
        var code = FlowApp.Run(args, FlowApp.DefinitionOf<UiFlow>(), TextWriter.Null, error, FlowUi.Command<UiFlow>());
        return (code, error.ToString());
    }

    [Test]
    public void AStrayArgumentIsAUsageError()
    {
        var root = Directory.CreateTempSubdirectory("flow-ui-").FullName;
        try
        {
            var (code, error) = Run("ui", "--datastore-root", root, "extra");
            Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
            Assert.That(error, Does.Contain("ui takes no argument 'extra'"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void AMissingDatastoreIsAUsageError()
    {
        var (code, error) = Run("ui", "--datastore-root", "/nonexistent/flow-ui-datastore");
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.Contain("/nonexistent/flow-ui-datastore"));
    }

    [Test]
    public void AnAddressInUseIsAUsageError()
    {
        var root = Directory.CreateTempSubdirectory("flow-ui-").FullName;
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var (code, error) = Run("ui", "--datastore-root", root, "--urls", $"http://127.0.0.1:{port}");
            Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
            Assert.That(error, Does.Contain("cannot listen"));
        }
        finally
        {
            taken.Stop();
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void TheCommandIsListedInTheHelp()
    {
        var output = new StringWriter();
        FlowApp.Run(["--help"], FlowApp.DefinitionOf<UiFlow>(), output, TextWriter.Null, FlowUi.Command<UiFlow>());
        Assert.That(output.ToString(), Does.Contain("ui"));
    }
}
