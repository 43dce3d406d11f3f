using Flow.Client;

namespace Flow;

/// <summary>
/// Marks a method of a <see cref="WebServiceSpec{TFlow}"/> as an HTTP endpoint. Its route is the snake_case of its
/// name (<c>WhatIf</c> is <c>/what_if</c>). Without a complex parameter it answers GET, its simple parameters read
/// from the query string; with one complex parameter it answers POST, that parameter read from a JSON body. It
/// returns JSON; <c>Task&lt;T&gt;</c> and <c>ValueTask&lt;T&gt;</c> are awaited, and a <c>CancellationToken</c>
/// parameter gets the request's. The compiler checks all of it (FLOW040 to FLOW048).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class EndpointAttribute : Attribute
{
}

/// <summary>
/// What every web service has, whatever its flow: the run it serves. Derive services from
/// <see cref="WebServiceSpec{TFlow}"/>.
/// </summary>
public abstract class WebServiceSpec
{
    private Run? _run;

    private protected WebServiceSpec()
    {
    }

    /// <summary>The run this instance serves: its id, tags and times. Every request it answers is answered from this run.</summary>
    public Run Run => _run ?? throw NotLoaded();

    /// <summary>
    /// Called once when the instance has its run's artifacts, before it answers a request: the place to build what
    /// every request would otherwise build again (an index, a model from its bytes). An exception here keeps the
    /// previous run in service and is logged.
    /// </summary>
    protected virtual void OnLoaded()
    {
    }

    /// <summary>Gives the instance its run, whose final artifacts the flow instance holds, and lets it prepare.</summary>
    internal void Attach(Run run, FlowSpec artifacts)
    {
        _run = run;
        SetArtifacts(artifacts);
        OnLoaded();
    }

    private protected abstract void SetArtifacts(FlowSpec artifacts);

    private protected InvalidOperationException NotLoaded() =>
        new($"{GetType().Name} has no run yet: the service host gives each instance its run before it answers requests.");
}

/// <summary>
/// A web service over the results of flow <typeparamref name="TFlow"/>: its <see cref="EndpointAttribute"/> methods
/// answer HTTP requests from <see cref="Artifacts"/>, the final artifacts of the latest successful run. Declare it
/// <c>partial</c>: the generator writes its routes. Run it with the flow program's <c>serve</c> command.
/// </summary>
/// <typeparam name="TFlow">The flow whose runs are served.</typeparam>
/// <remarks>
/// One instance serves one run and answers many requests at once: treat it as read-only, or synchronise what it
/// changes. When a newer run succeeds, a new instance is made for it; requests already started finish on the old one.
/// </remarks>
public abstract class WebServiceSpec<TFlow> : WebServiceSpec
    where TFlow : FlowSpec
{
    private TFlow? _artifacts;

    /// <summary>The final artifacts (those of the end step) of the run this instance serves, typed as the flow.</summary>
    public TFlow Artifacts => _artifacts ?? throw NotLoaded();

    private protected sealed override void SetArtifacts(FlowSpec artifacts) =>
        _artifacts = artifacts as TFlow ?? throw new ArgumentException($"{GetType().Name} serves {typeof(TFlow).Name}, not {artifacts.GetType().Name}.", nameof(artifacts));
}
