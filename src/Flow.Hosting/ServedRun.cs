using Flow.Client;
using Microsoft.Extensions.Primitives;

namespace Flow.Hosting;

/// <summary>A run in service: its instance of the service (holding its artifacts) and the header that names it.</summary>
internal sealed class ServedRun(WebServiceSpec service, Run run)
{
    /// <summary>The response header that names the run that answered.</summary>
    public const string Header = "Flow-Run";

    public WebServiceSpec Service { get; } = service;

    public Run Run { get; } = run;

    /// <summary><c>FLOW/RUN</c>, made once for every response.</summary>
    public StringValues HeaderValue { get; } = new($"{run.FlowName}/{run.Id}");
}
