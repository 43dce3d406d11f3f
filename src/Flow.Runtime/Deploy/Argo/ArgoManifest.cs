using System.Globalization;
using Flow.Datastore;
using Flow.Graph;

namespace Flow.Deploy.Argo;

/// <summary>One Kubernetes resource that <c>deploy argo</c> writes: its kind, its name, and its content as maps and lists.</summary>
internal sealed record ArgoResource(string Kind, string Name, Dictionary<string, object?> Document);

/// <summary>
/// The Argo Workflows resources of a flow: a <c>WorkflowTemplate</c> whose DAG has one task per step (a foreach's steps
/// in a template of their own, fanned out with <c>withParam</c>; a loop in a template that calls itself), and a
/// <c>CronWorkflow</c> when the flow has a schedule. Every container runs the flow's own program (see docs/deploy.md).
/// </summary>
internal sealed class ArgoManifest
{
    /// <summary>Where a container writes its output parameters.</summary>
    public const string OutputsFolder = "/tmp/flow";

    private const string CreateRun = "create-run";
    private const string FinishRun = "finish-run";
    private const string Root = ".";
    private const string PathInput = "{{inputs.parameters.path}}";

    private readonly FlowDefinition _flow;
    private readonly FlowGraph _graph;
    private readonly ArgoOptions _options;
    private readonly ArgoTaskPlan _plan;
    private readonly Dictionary<string, string> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _eachTasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _stepTemplates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _loopTemplates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _foreachTemplates = new(StringComparer.Ordinal);

    private ArgoManifest(FlowDefinition flow, ArgoOptions options)
    {
        _flow = flow;
        _graph = flow.Graph;
        _options = options;
        _plan = new ArgoTaskPlan(_graph);
        var tasks = new KubernetesNames();
        tasks.Reserve(CreateRun);
        var templates = new KubernetesNames();
        templates.Reserve("main", CreateRun, FinishRun);
        foreach (var step in _graph.Steps)
        {
            _tasks[step.Name] = tasks.Unique(step.Name);
            _stepTemplates[step.Name] = templates.Unique("step-" + step.Name);
            if (step.IsLoop)
            {
                _loopTemplates[step.Name] = templates.Unique("loop-" + step.Name);
            }

            if (step.Transition == TransitionKind.Foreach)
            {
                _eachTasks[step.Name] = tasks.Unique(step.Name + "-each");
                _foreachTemplates[step.Name] = templates.Unique("foreach-" + step.Name);
            }
        }
    }

    /// <summary>The resources for <paramref name="flow"/>: its WorkflowTemplate, then its CronWorkflow if it has a schedule.</summary>
    public static IReadOnlyList<ArgoResource> Build(FlowDefinition flow, ArgoOptions options)
    {
        Check(flow.Graph);
        var manifest = new ArgoManifest(flow, options);
        // A flow in a project is deployed per branch: the names hold both, so that branches live side by side.
        var name = KubernetesNames.Of(flow.Graph.Project is { } project && options.Branch is { } branch ? $"{project}-{branch}-{flow.Graph.Name}" : flow.Graph.Name);
        var resources = new List<ArgoResource> { new("WorkflowTemplate", name, manifest.WorkflowTemplate(name)) };
        if (flow.Graph.Schedule is { } schedule)
        {
            resources.Add(new("CronWorkflow", name, manifest.CronWorkflow(name, schedule)));
        }

        return resources;
    }

    // What Argo's DAG cannot say the way this manifest says it, refused with the reason.
    private static void Check(FlowGraph graph)
    {
        foreach (var step in graph.Steps)
        {
            var parents = graph.Parents(step.Name).ToList();
            if (parents.Count < 2 || step.IsJoin)
            {
                continue;
            }

            // The step's `when` reads the choice of its conditional parent, which Argo has only if that step ran: so
            // every other parent must come after it (when they ran, it did).
            var choosing = parents.Where(Chooses).ToList();
            if (choosing.Count > 1)
            {
                throw new FlowException($"Step {step.Name} follows {choosing.Count} steps that choose their way ({string.Join(", ", choosing.Select(p => p.Name))}); on Argo a step may follow at most one conditional step (or loop with several ways out) and other steps, for it can read a choice only of a step that ran. Put a step between {step.Name} and all but one of them.");
            }

            if (choosing.Count == 1 && parents.FirstOrDefault(p => p != choosing[0] && !Dominates(graph, choosing[0], p)) is { } other)
            {
                throw new FlowException($"Step {step.Name} follows conditional step {choosing[0].Name} and step {other.Name}, which can run without {choosing[0].Name} running first; on Argo the other parents of a step that a conditional step chooses must come after that conditional step, for the step can read a choice only of a step that ran. Put a step between {choosing[0].Name} and {step.Name}.");
            }
        }
    }

    // Whether every way from the start to `step` passes through `first`.
    private static bool Dominates(FlowGraph graph, StepNode first, StepNode step)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { graph.Start.Name };
        var pending = new Queue<StepNode>([graph.Start]);
        while (pending.TryDequeue(out var current))
        {
            if (current == first)
            {
                continue;
            }

            if (current == step)
            {
                return false;
            }

            foreach (var next in current.Onward)
            {
                if (seen.Add(next))
                {
                    pending.Enqueue(graph[next]);
                }
            }
        }

        return true;
    }

    private Dictionary<string, object?> WorkflowTemplate(string name)
    {
        var templates = new List<object?> { Dag("main", null, _graph.Steps.Where(s => ForeachOf(s) is null)) };
        foreach (var step in _graph.Steps.Where(s => s.Transition == TransitionKind.Foreach))
        {
            templates.Add(Dag(_foreachTemplates[step.Name], [Input("path")], _graph.Steps.Where(s => ForeachOf(s) == step.Name)));
        }

        foreach (var step in _graph.Steps)
        {
            if (step.IsLoop)
            {
                templates.Add(LoopTemplate(step));
            }

            templates.Add(StepTemplate(step));
        }

        templates.Add(RunTemplate(CreateRun, [.. Program(), "argo", "start", "--run-id", "{{workflow.name}}",
            .. _options.ProductionToken is { } token ? ["--production-token", token] : Array.Empty<string>(),
            .. _options.Branch is { } branch ? ["--branch", branch] : Array.Empty<string>(),
            .. _graph.Parameters.SelectMany(p => new[] { "--" + p.OptionName, $"{{{{workflow.parameters.{p.OptionName}}}}}" })]));
        templates.Add(RunTemplate(FinishRun, [.. Program(), "argo", "finish", "--run-id", "{{workflow.name}}", "--status", "{{workflow.status}}"]));
        return Map(
            ("apiVersion", "argoproj.io/v1alpha1"),
            ("kind", "WorkflowTemplate"),
            ("metadata", Metadata(name)),
            ("spec", Map(
                ("entrypoint", "main"),
                ("onExit", FinishRun),
                ("serviceAccountName", _options.ServiceAccount),
                ("arguments", _graph.Parameters.Count == 0 ? null : Map(("parameters", _graph.Parameters.Select(Argument).ToList<object?>()))),
                ("templates", templates))));
    }

    private Dictionary<string, object?> CronWorkflow(string name, string schedule) => Map(
        ("apiVersion", "argoproj.io/v1alpha1"),
        ("kind", "CronWorkflow"),
        ("metadata", Metadata(name)),
        ("spec", Map(
            ("schedules", new List<object?> { schedule }),
            ("timezone", _options.Timezone),
            ("workflowSpec", Map(("workflowTemplateRef", Map(("name", name))))))));

    private Dictionary<string, object?> Metadata(string name) => Map(
        ("name", name),
        ("namespace", _options.Namespace),
        ("annotations", Map(("flow/flow-name", _graph.Name))));

    // A parameter's default, as its command-line text; none for a required one (Argo then asks for it).
    private Dictionary<string, object?> Argument(ParameterInfo parameter)
    {
        if (parameter.Required)
        {
            return Map(("name", parameter.OptionName));
        }

        var value = _flow.Artifacts.First(a => a.Name == parameter.Name).GetBoxed(_flow.CreateInstance());
        return Map(("name", parameter.OptionName), ("value", value switch
        {
            null => "",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        }));
    }

    // The foreach whose elements a step runs once for (its innermost), or null at the top.
    private string? ForeachOf(StepNode step) => _plan.Scopes(step.Name).LastOrDefault(s => s.Branch is null)?.Split.Name;

    // The path argument of a step's task: its DAG's path, and the static branches inside it.
    private string PathOf(StepNode step)
    {
        var scopes = _plan.Scopes(step.Name);
        var foreachAt = scopes.ToList().FindLastIndex(s => s.Branch is null);
        var path = foreachAt < 0 ? Root : PathInput;
        return path + string.Concat(scopes.Skip(foreachAt + 1).Select(s => "." + s.Branch!.Value.ToString(CultureInfo.InvariantCulture)));
    }

    private Dictionary<string, object?> Dag(string name, List<object?>? inputs, IEnumerable<StepNode> steps)
    {
        var tasks = new List<object?>();
        if (inputs is null)
        {
            tasks.Add(Map(("name", CreateRun), ("template", CreateRun)));
        }

        foreach (var step in steps)
        {
            List<object?> arguments = [Parameter("path", PathOf(step))];
            if (step.IsLoop)
            {
                arguments.Add(Parameter("iteration", "0"));
            }

            tasks.Add(Map(
                ("name", _tasks[step.Name]),
                ("template", step.IsLoop ? _loopTemplates[step.Name] : _stepTemplates[step.Name]),
                ("depends", Depends(step)),
                ("when", When(step)),
                ("arguments", Map(("parameters", arguments)))));
            if (step.Transition == TransitionKind.Foreach)
            {
                tasks.Add(Map(
                    ("name", _eachTasks[step.Name]),
                    ("template", _foreachTemplates[step.Name]),
                    ("depends", $"{_tasks[step.Name]}.Succeeded"),
                    ("withParam", $"{{{{tasks.{_tasks[step.Name]}.outputs.parameters.foreach}}}}"),
                    ("arguments", Map(("parameters", new List<object?> { Parameter("path", PathOf(step) + ".{{item}}") })))));
            }
        }

        return Map(("name", name), ("inputs", inputs is null ? null : Map(("parameters", inputs))), ("dag", Map(("tasks", tasks))));
    }

    // A task runs when its parent task succeeded (for a step after a conditional merge, when any did); a join when
    // every branch did, a foreach's join when every element did.
    private string? Depends(StepNode step)
    {
        if (step.Name == _graph.Start.Name)
        {
            return $"{CreateRun}.Succeeded";
        }

        var parents = _graph.Parents(step.Name).ToList();
        if (step.IsJoin)
        {
            var split = _graph.Steps.Single(s => string.Equals(s.MatchingJoin, step.Name, StringComparison.Ordinal));
            if (split.Transition == TransitionKind.Foreach)
            {
                // Argo skips a fan-out over no elements; the join of an empty foreach runs, with no inputs, as it does locally.
                return $"{_eachTasks[split.Name]}.Succeeded || {_eachTasks[split.Name]}.Skipped";
            }

            return string.Join(" && ", split.Next.Select((_, branch) => "(" + string.Join(" || ", parents
                .Where(p => _plan.Scopes(p.Name).Contains(new SplitScope(split, branch)))
                .Select(p => $"{_tasks[p.Name]}.Succeeded")) + ")"));
        }

        // The first step of a foreach's template has its parent outside it: the template starts with it.
        var inside = parents.Where(p => p.Transition != TransitionKind.Foreach).Select(p => $"{_tasks[p.Name]}.Succeeded").ToList();
        return inside.Count == 0 ? null : string.Join(" || ", inside);
    }

    // A step that a conditional step may choose runs only when it chose it, or (when it has other parents, which come
    // after the conditional step: see Check) when one of those succeeded.
    private string? When(StepNode step)
    {
        var parents = _graph.Parents(step.Name).ToList();
        return step.IsJoin || !parents.Any(Chooses)
            ? null
            : string.Join(" || ", parents.Select(p => Chooses(p)
                ? $"'{{{{tasks.{_tasks[p.Name]}.outputs.parameters.next}}}}' == '{step.Name}'"
                : $"'{{{{tasks.{_tasks[p.Name]}.status}}}}' == 'Succeeded'"));
    }

    // A step whose task chooses among its successors: a conditional step, or a loop with more than one way out (whose
    // template tells which way its last iteration left). A loop with one way out always leaves by it.
    private static bool Chooses(StepNode step) =>
        step.Transition == TransitionKind.Conditional && (!step.IsLoop || step.Onward.Count() > 1);

    // A loop: its iteration, then (when it chose to go round again) the template again, for the next iteration. A loop
    // with several ways out gives the step its last iteration chose as its output `next`: the iteration's choice when
    // it left, else what the template called again gives.
    private Dictionary<string, object?> LoopTemplate(StepNode step) => Map(
        ("name", _loopTemplates[step.Name]),
        ("inputs", Map(("parameters", new List<object?> { Input("path"), Input("iteration") }))),
        ("outputs", Chooses(step)
            ? Map(("parameters", new List<object?>
            {
                Map(("name", "next"), ("valueFrom", Map(("expression",
                    $"tasks.iteration.outputs.parameters.next == '{step.Name}' ? tasks.again.outputs.parameters.next : tasks.iteration.outputs.parameters.next")))),
            }))
            : null),
        ("dag", Map(("tasks", new List<object?>
        {
            Map(
                ("name", "iteration"),
                ("template", _stepTemplates[step.Name]),
                ("arguments", Map(("parameters", new List<object?> { Parameter("path", PathInput), Parameter("iteration", "{{inputs.parameters.iteration}}") })))),
            Map(
                ("name", "again"),
                ("template", _loopTemplates[step.Name]),
                ("depends", "iteration.Succeeded"),
                ("when", $"'{{{{tasks.iteration.outputs.parameters.next}}}}' == '{step.Name}'"),
                ("arguments", Map(("parameters", new List<object?> { Parameter("path", PathInput), Parameter("iteration", "{{tasks.iteration.outputs.parameters.iteration}}") })))),
        }))));

    private Dictionary<string, object?> StepTemplate(StepNode step)
    {
        List<string> args = [.. Program(), "argo", "step", step.Name, "--run-id", "{{workflow.name}}", "--path", PathInput, "--iteration", "{{inputs.parameters.iteration}}"];
        if (step.Retry is not null)
        {
            args.AddRange(["--attempt", "{{retries}}"]);
        }

        if (_options.WithCard)
        {
            args.AddRange(["--with", "card"]);
        }

        if (_options.NoCache && step.Cache is not null)
        {
            args.Add("--no-cache");
        }

        args.AddRange(["--outputs", OutputsFolder]);
        return Map(
            ("name", _stepTemplates[step.Name]),
            ("inputs", Map(("parameters", new List<object?> { Input("path"), Map(("name", "iteration"), ("default", "0")) }))),
            ("outputs", Map(("parameters", new[] { "next", "foreach", "iteration" }
                .Select(o => (object?)Map(("name", o), ("valueFrom", Map(("path", $"{OutputsFolder}/{o}")))))
                .ToList()))),
            ("retryStrategy", step.Retry is { } retry
                ? Map(
                    ("limit", retry.Times.ToString(CultureInfo.InvariantCulture)),
                    ("backoff", retry.DelaySeconds > 0 ? Map(("duration", $"{retry.DelaySeconds.ToString(CultureInfo.InvariantCulture)}s")) : null))
                : null),
            ("activeDeadlineSeconds", step.Timeout is { } timeout ? Math.Ceiling(timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null),
            ("container", Container(args, step)));
    }

    // A template of one container that does not run a step: it records the run, or its end.
    private Dictionary<string, object?> RunTemplate(string name, List<string> args) => Map(("name", name), ("container", Container(args, null)));

    private Dictionary<string, object?> Container(List<string> args, StepNode? step)
    {
        var env = new List<object?>
        {
            EnvVar(DatastoreConfig.KindVariable, "s3"),
            EnvVar(DatastoreConfig.RootVariable, _options.DatastoreRoot),
        };
        env.AddRange(_options.Settings.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => EnvVar(s.Key, s.Value)));
        env.AddRange((step?.Environment ?? []).Select(e => EnvVar(e.Name, e.Value)));
        return Map(
            ("image", _options.Image),
            ("args", args.ToList<object?>()),
            ("env", env),
            ("envFrom", _options.Secret is { } secret ? new List<object?> { Map(("secretRef", Map(("name", secret)))) } : null),
            ("resources", step?.Resources is { } r ? Resources(r) : null));
    }

    private static Dictionary<string, object?> Resources(ResourceRequest request)
    {
        var amounts = Map(
            ("cpu", request.Cpu > 0 ? request.Cpu.ToString(CultureInfo.InvariantCulture) : null),
            ("memory", request.MemoryMb > 0 ? $"{request.MemoryMb.ToString(CultureInfo.InvariantCulture)}Mi" : null));
        var limits = new Dictionary<string, object?>(amounts);
        if (request.Gpu > 0)
        {
            limits["nvidia.com/gpu"] = request.Gpu.ToString(CultureInfo.InvariantCulture);
        }

        return Map(("requests", amounts.Count == 0 ? null : amounts), ("limits", limits.Count == 0 ? null : limits));
    }

    // The program's arguments before its command: the flow's name, in a program of several flows.
    private string[] Program() => _options.FlowArgument is { } flow ? [flow] : [];

    private static Dictionary<string, object?> EnvVar(string name, string value) => Map(("name", name), ("value", value));

    private static Dictionary<string, object?> Input(string name) => Map(("name", name));

    private static Dictionary<string, object?> Parameter(string name, string value) => Map(("name", name), ("value", value));

    // A map in the order given, without the entries whose value is null.
    private static Dictionary<string, object?> Map(params (string Key, object? Value)[] entries)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            if (value is not null)
            {
                map[key] = value;
            }
        }

        return map;
    }
}
