using System.CommandLine;
using Flow.Datastore;

namespace Flow.Cli;

/// <summary>
/// A command that another package adds to a flow program's command line, beside run, show and the others: the
/// generated <c>Main</c> passes one for each, such as Flow.Hosting's <c>serve</c> for a flow with a web service.
/// </summary>
public abstract class FlowProgramCommand
{
    /// <summary>The command's name, as typed after the program (a name of Flow's own commands is refused).</summary>
    public abstract string Name { get; }

    /// <summary>The flow whose command line gets the command.</summary>
    public abstract FlowDefinition Flow { get; }

    /// <summary>
    /// Whether the command stops gracefully on SIGINT and SIGTERM by itself (a server's host does). Otherwise the
    /// signal cancels the command's token, as for <c>run</c>, and the process exits five seconds later at most.
    /// </summary>
    public virtual bool HandlesSignals => false;

    /// <summary>Builds the command; its action returns an exit code (<see cref="ExitCodes"/>).</summary>
    public abstract Command Create(FlowCommandContext context);
}

/// <summary>What a <see cref="FlowProgramCommand"/> gets from the program: its writers and the datastore its options name.</summary>
public sealed class FlowCommandContext
{
    private readonly Func<ParseResult, FlowDatastore> _datastore;

    internal FlowCommandContext(TextWriter output, TextWriter error, Func<ParseResult, FlowDatastore> datastore)
    {
        Output = output;
        Error = error;
        _datastore = datastore;
    }

    /// <summary>Where the command writes its results.</summary>
    public TextWriter Output { get; }

    /// <summary>Where the command writes errors and progress.</summary>
    public TextWriter Error { get; }

    /// <summary>
    /// The datastore named by <c>--datastore-root</c> and <c>--datastore</c> (or the configuration), which must exist:
    /// a missing local folder is a <see cref="FlowException"/> saying so.
    /// </summary>
    public FlowDatastore Datastore(ParseResult parsed) => _datastore(parsed);
}
