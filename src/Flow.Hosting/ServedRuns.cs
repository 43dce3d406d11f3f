using Flow.Client;
using Flow.Datastore;
using Flow.Deploy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flow.Hosting;

/// <summary>
/// The run a service serves, kept current: it looks for a newer successful run every <see cref="FlowServiceOptions.Refresh"/>,
/// loads its artifacts once into a new instance of the service, and swaps that in with one write. A request takes the
/// instance in service when it starts and keeps it to the end, so none sees a half-swapped state or fails for a swap.
/// </summary>
internal sealed partial class ServedRuns : BackgroundService
{
    private readonly WebServiceDefinition _service;
    private readonly FlowServiceOptions _options;
    private readonly FlowDatastore _datastore;
    private readonly ILogger<ServedRuns> _logger;
    private ServedRun? _current;
    private string _waiting;
    private string? _lastFailure;

    // A run that could not be loaded: tried again after a wait that doubles each time, not at every refresh.
    private (string RunId, int Failures, DateTimeOffset NextTry)? _failed;

    public ServedRuns(WebServiceDefinition service, FlowServiceOptions options, ILogger<ServedRuns> logger)
    {
        _service = service;
        _options = options;
        _logger = logger;
        _datastore = options.Datastore ?? FlowDatastore.FromConfiguration();
        _waiting = $"{service.Name} has not looked for a run of {FlowName} yet.";
    }

    /// <summary>The run in service, or null before the first one is loaded.</summary>
    public ServedRun? Current => Volatile.Read(ref _current);

    /// <summary>
    /// Why no run is in service, and what to do about it, for clients: which flow and namespace, never where the
    /// datastore is or what an error said (the log has those).
    /// </summary>
    public string Waiting => Volatile.Read(ref _waiting);

    /// <summary>The run in service, counted in for one request (release it when the request ends); null when there is none.</summary>
    public ServedRun? Acquire()
    {
        while (Current is { } run)
        {
            if (run.TryAcquire())
            {
                return run;
            }
        }

        return null;
    }

    private string FlowName => _service.Flow.Graph.Name;

    /// <summary>Looks for the run to serve and puts it in service if it is not already; true when one is in service.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        Run? run;
        try
        {
            run = await SelectAsync(cancellationToken).ConfigureAwait(false);
            if (run is null || run.Id == Current?.Run.Id
                || (_failed is { } failed && failed.RunId == run.Id && DateTimeOffset.UtcNow < failed.NextTry))
            {
                return Current is not null;
            }

            ServedRun loaded;
            try
            {
                loaded = await LoadAsync(run, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                var failures = _failed is { } before && before.RunId == run.Id ? before.Failures + 1 : 1;
                var wait = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(10).Ticks, _options.Refresh.Ticks * (1L << Math.Min(failures, 20))));
                _failed = (run.Id, failures, DateTimeOffset.UtcNow + wait);
                throw;
            }

            var previous = Interlocked.Exchange(ref _current, loaded);
            previous?.Retire();
            _failed = null;
            _lastFailure = null;
            LogServing(_logger, _service.Name, FlowName, run.Id, previous?.Run.Id ?? "none");
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The run in service stays; a failure is logged once until it changes, not at every refresh.
            var message = e is FlowException or IOException ? e.Message : e.ToString();
            if (message != _lastFailure)
            {
                _lastFailure = message;
                LogFailed(_logger, FlowName, Current?.Run.Id ?? "none", message);
            }

            if (Current is null)
            {
                Volatile.Write(ref _waiting, $"No run of {FlowName} can be served yet: loading one failed, and the service's log says why; it tries again by itself.");
            }

            return Current is not null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var refresh = _options.Refresh < FlowServiceOptions.MinimumRefresh ? FlowServiceOptions.MinimumRefresh : _options.Refresh;
        using var timer = new PeriodicTimer(refresh);
        do
        {
            await RefreshAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task<Run?> SelectAsync(CancellationToken cancellationToken)
    {
        var runs = new FlowClient(_datastore) { Namespace = null }.Flow(FlowName);
        if (_options.RunId is { } id)
        {
            var chosen = await runs.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (!chosen.Succeeded)
            {
                Volatile.Write(ref _waiting, $"Run {FlowName}/{id} has not succeeded (it is {chosen.Status}): only a successful run can be served.");
                return null;
            }

            return chosen;
        }

        var all = await runs.ListAsync(cancellationToken).ConfigureAwait(false);
        var production = "production:" + Deployments.Token(_service.Flow.Graph, Deployments.ProductionBranch);
        var ns = _options.Namespace ?? (all.Any(r => Has(r, production)) ? production : FlowClient.DefaultNamespace);
        var run = all.FirstOrDefault(r => r.Succeeded && Has(r, ns) && (_options.Tag is null || Has(r, _options.Tag)));
        if (run is null)
        {
            Volatile.Write(ref _waiting,
                $"No successful run of {FlowName} in namespace '{ns}'{(_options.Tag is null ? "" : $" with tag '{_options.Tag}'")} yet: run the flow (its 'run' command), or choose another with serve's --namespace, --tag or --run.");
            if (_lastFailure != ns)
            {
                // Where it looked is for the operator, not the client.
                _lastFailure = ns;
                LogNoRun(_logger, FlowName, ns, _datastore.Description);
            }
        }

        return run;
    }

    private static bool Has(Run run, string tag) => run.SystemTags.Contains(tag, StringComparer.Ordinal) || run.Tags.Contains(tag, StringComparer.Ordinal);

    private async Task<ServedRun> LoadAsync(Run run, CancellationToken cancellationToken)
    {
        var end = await run.EndTaskAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new FlowException($"Run {FlowName}/{run.Id} has no finished end step, so it has no final artifacts to serve.");
        var values = await _datastore.GetAllAsync(end.Record.Artifacts, $"task {FlowName}/{end.Pathspec}", cancellationToken).ConfigureAwait(false);
        var artifacts = _service.Flow.CreateInstance();
        _service.Flow.RestoreAll(artifacts, values, $"run {FlowName}/{run.Id}");
        var service = _service.CreateInstance();
        service.Attach(run, artifacts);
        return new ServedRun(service, run);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} serves run {Flow}/{Run} (before: {Previous}).")]
    private static partial void LogServing(ILogger logger, string service, string flow, string run, string previous);

    [LoggerMessage(Level = LogLevel.Information, Message = "No successful run of {Flow} in namespace {Namespace} in the datastore at {Datastore} yet.")]
    private static partial void LogNoRun(ILogger logger, string flow, string @namespace, string datastore);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not put a run of {Flow} in service (still serving: {Current}): {Error}")]
    private static partial void LogFailed(ILogger logger, string flow, string current, string error);
}
