using Flow.Datastore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flow.Hosting;

/// <summary>
/// The read-only web UI over a datastore in an ASP.NET Core application: <c>AddFlowUi</c> on the services,
/// <c>UseFlowUi</c> on the application. The flow program's <c>ui</c> command does both.
/// </summary>
public static class FlowUiExtensions
{
    /// <summary>The pages' content security policy: inline style and script, requests to the UI itself, nothing else.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'self'";

    /// <summary>Adds what the UI needs: its options and its reader of the datastore (which keeps runs' task records and reads only new or rewritten ones).</summary>
    public static IServiceCollection AddFlowUi(this IServiceCollection services, Action<FlowUiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new FlowUiOptions();
        configure?.Invoke(options);
        if (options.PageSize < 1 || options.TasksPerPage < 1 || options.CachedRuns < 0)
        {
            throw new ArgumentException($"The UI's page sizes must be positive and its cache not negative (page size {options.PageSize}, tasks per page {options.TasksPerPage}, cached runs {options.CachedRuns}).", nameof(configure));
        }

        options.Datastore ??= FlowDatastore.FromConfiguration();
        services.TryAddSingleton(new UiData(options));
        return services;
    }

    /// <summary>
    /// Serves the UI's pages: <c>/</c> (runs), <c>/runs/RUN</c> (a run), <c>/runs/RUN/status.json</c> (a run's progress,
    /// which a running run's page polls), <c>/runs/RUN/STEP/TASK</c> (a task, with its cards) and
    /// <c>/runs/RUN/STEP/TASK/cards/ID</c> (one card).
    /// </summary>
    public static WebApplication UseFlowUi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var data = app.Services.GetService<UiData>()
            ?? throw new InvalidOperationException("Call services.AddFlowUi() before app.UseFlowUi().");
        // The pages load nothing from elsewhere: their style and script are inline, and their only request is a run's status.
        var ui = app.MapGroup("");
        ui.AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            return await next(context).ConfigureAwait(false);
        });
        ui.MapGet("/", (Func<HttpContext, Task<IResult>>)(context => UiPages.RunsAsync(context, data)));
        ui.MapGet("/runs/{run}", (HttpContext context, string run) => UiPages.RunAsync(context, data, run));
        ui.MapGet("/runs/{run}/status.json", (HttpContext context, string run) => UiPages.StatusAsync(context, data, run));
        ui.MapGet("/runs/{run}/{step}/{task}", (HttpContext context, string run, string step, string task) => UiPages.TaskAsync(context, data, run, step, task));
        ui.MapGet("/runs/{run}/{step}/{task}/cards/{id}", (HttpContext context, string run, string step, string task, string id) => UiPages.CardAsync(context, data, run, step, task, id));
        return app;
    }
}
