using System.CommandLine;
using System.Globalization;
using Flow.Cli;
using Flow.Datastore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;

namespace Flow.Hosting;

/// <summary>The <c>serve</c> command of a flow program with a web service; the generated <c>Main</c> adds it.</summary>
/// <typeparam name="TService">The service it serves.</typeparam>
public sealed class ServeCommand<TService> : FlowProgramCommand
    where TService : WebServiceSpec, IWebServiceProvider<TService>
{
    /// <summary>Where the service listens when neither <c>--urls</c> nor ASP.NET Core's configuration (<c>ASPNETCORE_URLS</c>) says.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <inheritdoc />
    public override string Name => "serve";

    /// <inheritdoc />
    public override FlowDefinition Flow => TService.Definition.Flow;

    /// <inheritdoc />
    public override bool HandlesSignals => true;

    /// <inheritdoc />
    public override Command Create(FlowCommandContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var definition = TService.Definition;
        var defaults = new FlowServiceOptions();
        var command = new Command(
            "serve",
            $"Serve {definition.Name}'s endpoints over HTTP ({string.Join(", ", definition.Endpoints.Select(e => $"{e.HttpMethod} {e.Route}"))}) from the latest successful run of {Flow.Graph.Name}. Other options (--Kestrel:..., --Logging:...) are ASP.NET Core configuration.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var urls = new Option<string?>("--urls") { Description = $"Where to listen, separated by ';' (default: ASPNETCORE_URLS, else {DefaultUrls}: loopback only)." };
        var ns = new Option<string?>("--namespace") { Description = "Serve the latest successful run of this namespace (default: production once the flow has production runs, else user:<you>)." };
        var tag = new Option<string?>("--tag") { Description = "Serve only runs with this tag." };
        var run = new Option<string?>("--run") { Description = "Serve this run, and no newer one." };
        var refresh = new Option<double>("--refresh")
        {
            Description = "Look for a newer successful run this often, in seconds.",
            DefaultValueFactory = _ => defaults.Refresh.TotalSeconds,
            CustomParser = r => Number(r, "--refresh", FlowServiceOptions.MinimumRefresh.TotalSeconds, 86_400, "seconds"),
        };
        var maxBody = new Option<long>("--max-body-size")
        {
            Description = "The largest request body accepted, in bytes; a larger one is answered 400.",
            DefaultValueFactory = _ => defaults.MaxBodySize,
            CustomParser = r => (long)Number(r, "--max-body-size", 1, 1L << 40, "bytes"),
        };
        foreach (var option in new Option[] { urls, ns, tag, run, refresh, maxBody })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (HostArguments.CreateBuilder(command, parsed, context.Error) is not { } builder)
            {
                return ExitCodes.UsageError;
            }

            var datastore = context.Datastore(parsed);
            if (parsed.GetValue(urls) is { } listen)
            {
                builder.WebHost.UseUrls(listen);
            }
            else if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            {
                builder.WebHost.UseUrls(DefaultUrls);
            }

            HostArguments.AllowLoopbackHostsOnly(builder, parsed.GetValue(urls) ?? builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? DefaultUrls);

            builder.Services.AddFlowService<TService>(o =>
            {
                o.Datastore = datastore;
                o.Namespace = parsed.GetValue(ns);
                o.Tag = parsed.GetValue(tag);
                o.RunId = parsed.GetValue(run) is { } id ? Ids.Check(id, "run id") : null;
                o.Refresh = TimeSpan.FromSeconds(parsed.GetValue(refresh));
                o.MaxBodySize = parsed.GetValue(maxBody);
            });
            await using var app = builder.Build();
            app.UseFlowService<TService>();
            try
            {
                await app.RunAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (HostArguments.CannotListen(e))
            {
                // Kestrel could not bind: the port is taken, the address is not this machine's, or it is not a URL.
                context.Error.WriteLine($"error: {definition.Name} cannot listen on {parsed.GetValue(urls) ?? builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? DefaultUrls}: {e.Message}");
                return ExitCodes.UsageError;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    // A number between two bounds, or an error that names the option and says what it takes.
    private static double Number(System.CommandLine.Parsing.ArgumentResult result, string option, double min, double max, string unit)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        result.AddError($"{option} takes a number of {unit} from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'.");
        return min;
    }
}

/// <summary>Entry points for generated code and programs with their own <c>Main</c>.</summary>
public static class WebService
{
    /// <summary>The <c>serve</c> command for <typeparamref name="TService"/>, to pass to <see cref="FlowApp"/>'s <c>Run</c>.</summary>
    public static FlowProgramCommand ServeCommand<TService>()
        where TService : WebServiceSpec, IWebServiceProvider<TService> => new ServeCommand<TService>();
}
