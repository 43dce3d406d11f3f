using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flow.Hosting;

/// <summary>
/// Hosts a <see cref="WebServiceSpec{TFlow}"/> in an ASP.NET Core application: <c>AddFlowService</c> on the services,
/// <c>UseFlowService</c> on the application. The flow program's <c>serve</c> command does both; an application of
/// your own can too, beside its other endpoints.
/// </summary>
public static class FlowServiceExtensions
{
    /// <summary>The path of the health check: 200 once a run is in service, 503 before.</summary>
    public const string HealthPath = "/healthz";

    /// <summary>The path of the OpenAPI document of the service's endpoints.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>
    /// Adds what serving <typeparamref name="TService"/> needs: the run it serves (kept current in the background),
    /// strict JSON for request bodies, problem details for errors, the OpenAPI document, and the body size limit.
    /// </summary>
    public static IServiceCollection AddFlowService<TService>(this IServiceCollection services, Action<FlowServiceOptions>? configure = null)
        where TService : WebServiceSpec, IWebServiceProvider<TService>
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new FlowServiceOptions();
        configure?.Invoke(options);
        if (options.MaxBodySize <= 0)
        {
            throw new ArgumentException($"The largest request body must be a positive number of bytes, not {options.MaxBodySize}.", nameof(configure));
        }

        if (services.Any(d => d.ServiceType == typeof(WebServiceDefinition)))
        {
            throw new InvalidOperationException($"An application serves one web service: {typeof(TService).Name} cannot be added beside another. Put its endpoints in the same service, or serve it from another application.");
        }

        services.AddSingleton(options);
        services.AddSingleton<WebServiceDefinition>(TService.Definition);
        services.TryAddSingleton<ServedRuns>();
        services.AddHostedService(provider => provider.GetRequiredService<ServedRuns>());
        services.AddProblemDetails();
        services.AddOpenApi();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = options.MaxBodySize);
        services.Configure<JsonOptions>(o =>
        {
            // A body that leaves out a required member (a record's constructor parameter, a 'required' property, a
            // member that cannot be null and has no default) or sets null where the type says it cannot be is the
            // client's mistake, answered 400 with its name.
            o.SerializerOptions.RespectRequiredConstructorParameters = true;
            o.SerializerOptions.RespectNullableAnnotations = true;

            // Those leave a plain class's non-nullable member that the body leaves out null (its default): refused too.
            o.SerializerOptions.TypeInfoResolver = (o.SerializerOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
                .WithAddedModifier(NonNullableMembers.Modify);

            // A model's numbers may be NaN or infinite: answered as "NaN", "Infinity" and "-Infinity", not a failed response.
            o.SerializerOptions.NumberHandling |= System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        return services;
    }

    /// <summary>
    /// Serves <typeparamref name="TService"/>: its endpoints (each answered by the run in service when the request
    /// started, named by the <c>Flow-Run</c> response header), <see cref="HealthPath"/>, <see cref="OpenApiPath"/>, and
    /// errors as <c>application/problem+json</c>. Call it before mapping other endpoints whose errors it should handle.
    /// </summary>
    public static WebApplication UseFlowService<TService>(this WebApplication app)
        where TService : WebServiceSpec, IWebServiceProvider<TService>
    {
        ArgumentNullException.ThrowIfNull(app);
        var runs = app.Services.GetService<ServedRuns>()
            ?? throw new InvalidOperationException($"Call services.AddFlowService<{typeof(TService).Name}>() before app.UseFlowService<{typeof(TService).Name}>().");
        app.UseMiddleware<RequestLog>();
        app.UseMiddleware<Problems>();

        // An answer without a body (an unknown route or method, a body over the limit that Kestrel stopped) gets problem details too.
        var routes = string.Join(", ", TService.Definition.Endpoints.Select(e => $"{e.HttpMethod} {e.Route}"));
        app.UseStatusCodePages(context => context.HttpContext.Response.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? Problems.OversizedBodyAsync(context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>(), context.HttpContext)
            : Problems.WriteAsync(
                context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>(),
                context.HttpContext,
                context.HttpContext.Response.StatusCode,
                ReasonPhrases.GetReasonPhrase(context.HttpContext.Response.StatusCode),
                context.HttpContext.Response.StatusCode switch
                {
                    // An endpoint's own 404 (Results.NotFound()) is its answer, not an unknown route.
                    StatusCodes.Status404NotFound when context.HttpContext.GetEndpoint() is null => $"No endpoint at {context.HttpContext.Request.Path}; {TService.Definition.Name} has {routes}.",
                    StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Path} does not answer {context.HttpContext.Request.Method}; {TService.Definition.Name} has {routes}.",
                    _ => null,
                }));
        app.UseRouting();
        app.UseMiddleware<RunPinning>();
        var group = app.MapGroup("");
        group.WithMetadata(ServiceEndpoint.Instance);
        TService.Definition.MapEndpoints(group);
        app.MapGet(HealthPath, () => runs.Current is { } run
                ? Results.Text($"ready: serving {run.Run.FlowName}/{run.Run.Id}\n")
                : Results.Text($"not ready: {runs.Waiting}\n", statusCode: StatusCodes.Status503ServiceUnavailable))
            .ExcludeFromDescription();
        app.MapOpenApi(OpenApiPath);
        return app;
    }

    /// <summary>Marks the endpoints of a service: a request to one is answered by a run, and names it.</summary>
    internal sealed class ServiceEndpoint
    {
        public static readonly ServiceEndpoint Instance = new();
    }
}
