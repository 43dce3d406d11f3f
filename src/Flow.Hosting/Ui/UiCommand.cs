using System.CommandLine;
using Flow.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;

namespace Flow.Hosting;

/// <summary>The <c>ui</c> command of a flow program that references Flow.Hosting: a read-only web UI over the datastore.</summary>
public sealed class UiCommand : FlowProgramCommand
{
    private readonly FlowDefinition _flow;

    /// <summary>The UI command of <paramref name="flow"/>, whose runs its first page shows.</summary>
    public UiCommand(FlowDefinition flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        _flow = flow;
    }

    /// <inheritdoc />
    public override string Name => "ui";

    /// <inheritdoc />
    public override FlowDefinition Flow => _flow;

    /// <inheritdoc />
    public override bool HandlesSignals => true;

    /// <inheritdoc />
    public override Command Create(FlowCommandContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command(
            "ui",
            $"Serve a read-only web UI over the datastore's runs of {_flow.Graph.Name} (and of every other flow there) at {FlowUi.DefaultUrls} unless --urls says otherwise. Other options (--Kestrel:..., --Logging:...) are ASP.NET Core configuration.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var urls = new Option<string?>("--urls") { Description = $"Where to listen, separated by ';' (default: {FlowUi.DefaultUrls}: loopback only)." };
        command.Options.Add(urls);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (HostArguments.CreateBuilder(command, parsed, context.Error) is not { } builder)
            {
                return ExitCodes.UsageError;
            }

            var datastore = context.Datastore(parsed);
            builder.WebHost.UseUrls(parsed.GetValue(urls) ?? FlowUi.DefaultUrls);
            HostArguments.AllowLoopbackHostsOnly(builder, parsed.GetValue(urls) ?? FlowUi.DefaultUrls);
            builder.Services.AddFlowUi(o =>
            {
                o.Datastore = datastore;
                o.Flows.Add(_flow);
            });
            await using var app = builder.Build();
            app.UseFlowUi();
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                context.Error.WriteLine($"Flow UI of {datastore.Description} at {string.Join(", ", app.Urls)}");
                await app.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (HostArguments.CannotListen(e))
            {
                context.Error.WriteLine($"error: the UI cannot listen on {parsed.GetValue(urls) ?? FlowUi.DefaultUrls}: {e.Message}");
                return ExitCodes.UsageError;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary>Entry points for generated code and programs with their own <c>Main</c>.</summary>
public static class FlowUi
{
    /// <summary>Where the UI listens unless <c>--urls</c> says otherwise: loopback only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8765";

    /// <summary>The <c>ui</c> command for <typeparamref name="TFlow"/>, to pass to <see cref="FlowApp"/>'s <c>Run</c>.</summary>
    public static FlowProgramCommand Command<TFlow>()
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow> => new UiCommand(TFlow.Definition);
}
