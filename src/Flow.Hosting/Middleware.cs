using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Flow.Hosting;

/// <summary>Gives a request to a service endpoint the run in service now, names it in a header, or answers 503 when there is none.</summary>
internal sealed class RunPinning(RequestDelegate next, ServedRuns runs, IProblemDetailsService problems)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<FlowServiceExtensions.ServiceEndpoint>() is null)
        {
            return next(context);
        }

        if (runs.Acquire() is not { } run)
        {
            context.Response.Headers.RetryAfter = "5";
            return Problems.WriteAsync(problems, context, StatusCodes.Status503ServiceUnavailable, "No run to serve yet", runs.Waiting);
        }

        context.Features.Set(run);
        context.Response.Headers[ServedRun.Header] = run.HeaderValue;
        context.Response.RegisterForDispose(new Release(run));
        return next(context);
    }

    // Counts the request out of its run when the response is done with (disposed with the request).
    private sealed class Release(ServedRun run) : IDisposable
    {
        public void Dispose() => run.Release();
    }
}

/// <summary>
/// Errors as <c>application/problem+json</c>: bad input (a body that is not JSON or not the endpoint's type, a query
/// value of the wrong type, a missing parameter, a body over the limit) with what was wrong and where; an endpoint that
/// throws as 500, logged with its exception, answered without it (no stack trace, no paths).
/// </summary>
internal sealed partial class Problems(RequestDelegate next, IProblemDetailsService problems, ILogger<Problems> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var json = e.InnerException as JsonException;
            var detail = json is null ? e.Message : $"{e.Message} {json.Message}";
            if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await OversizedBodyAsync(problems, context).ConfigureAwait(false);
                return;
            }

            var field = json is NonNullableMembers.LeftOutException leftOut ? leftOut.Field : json?.Path;
            await WriteAsync(problems, context, e.StatusCode, "Bad request", detail, field).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var endpoint = context.GetEndpoint()?.DisplayName ?? context.Request.Path.ToString();
            var traceId = Activity.Current?.Id ?? context.TraceIdentifier;
            LogFailed(logger, e, endpoint, context.Features.Get<ServedRun>()?.HeaderValue.ToString() ?? "none", traceId);
            await WriteAsync(
                problems,
                context,
                StatusCodes.Status500InternalServerError,
                "The endpoint failed",
                $"{context.Request.Method} {context.Request.Path} failed with {e.GetType().Name}; the service's log has the details, under trace id {traceId}.").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A body over the service's limit (Kestrel stops reading it with 413): answered as the other bad input is, 400,
    /// naming the body's parameter and the limit.
    /// </summary>
    public static Task OversizedBodyAsync(IProblemDetailsService problems, HttpContext context)
    {
        var limit = context.RequestServices.GetService(typeof(FlowServiceOptions)) is FlowServiceOptions options ? options.MaxBodySize : 0;
        var body = context.GetEndpoint()?.Metadata.GetMetadata<System.Reflection.MethodInfo>()?.GetParameters()
            .FirstOrDefault(p => p.GetCustomAttributes(typeof(FromBodyAttribute), inherit: false).Length > 0)?.Name;
        return WriteAsync(
            problems,
            context,
            StatusCodes.Status400BadRequest,
            "Request body too large",
            $"The request body{(body is null ? "" : $" (parameter {body})")} is larger than the service accepts: {limit} bytes (serve's --max-body-size).",
            body);
    }

    public static async Task WriteAsync(IProblemDetailsService problems, HttpContext context, int status, string title, string? detail, string? field = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).ConfigureAwait(false))
        {
            context.Response.ContentType = "application/problem+json";
            await context.Response.WriteAsJsonAsync(problem, (JsonSerializerOptions?)null, "application/problem+json").ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Endpoint} failed (run {Run}, trace id {TraceId}).")]
    private static partial void LogFailed(ILogger logger, Exception exception, string endpoint, string run, string traceId);
}

/// <summary>One line per request through <see cref="ILogger"/> (category <c>Flow.Hosting.Requests</c>): method, path, status, time, run.</summary>
internal sealed partial class RequestLog(RequestDelegate next, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("Flow.Hosting.Requests");

    public async Task InvokeAsync(HttpContext context)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            LogRequest(
                _logger,
                context.Request.Method,
                context.Request.Path.ToString(),
                context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                context.Features.Get<ServedRun>()?.HeaderValue.ToString() ?? "-");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} {Status} {Milliseconds:0.000} ms run {Run}")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, double milliseconds, string run);
}
