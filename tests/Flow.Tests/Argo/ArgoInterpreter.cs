using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;
using YamlDotNet.Serialization;

namespace Flow.Tests.Argo;

/// <summary>
/// Runs a WorkflowTemplate as Argo's controller would, on this machine: DAG tasks in the order their <c>depends</c> (or
/// <c>dependencies</c>) allow, <c>when</c>, fan-out over <c>withParam</c>, <c>withItems</c> and <c>withSequence</c>,
/// templates that call templates (recursion included), output parameters read from files (a container's) or from
/// its tasks' (a DAG's: <c>valueFrom.parameter</c> or <c>valueFrom.expression</c>), <c>retryStrategy</c>,
/// <c>activeDeadlineSeconds</c> and the exit handler. Each container is a process of the flow's program, whose path
/// stands in for the image's entrypoint; each pod gets a folder of its own, which absolute paths under /tmp map into.
/// Template expressions it cannot resolve fail the workflow, as Argo's would.
/// </summary>
internal sealed partial class ArgoInterpreter
{
    private readonly string _dll;
    private readonly string _work;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly Dictionary<string, Dictionary<object, object>> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<object, object> _spec;
    private readonly Dictionary<string, string> _workflow = new(StringComparer.Ordinal);
    private int _pods;

    public ArgoInterpreter(string yaml, string dll, string work, IReadOnlyDictionary<string, string> environment)
    {
        _dll = dll;
        _work = work;
        _environment = environment;
        var document = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(yaml)!;
        Assert.That(document["kind"], Is.EqualTo("WorkflowTemplate"));
        _spec = Map(document["spec"]);
        foreach (var template in List(_spec["templates"]).Select(Map))
        {
            _templates.Add((string)template["name"], template);
        }

        // As `argo submit --from workflowtemplate/NAME` names a workflow: the template's name and five random characters.
        WorkflowName = $"{Map(document["metadata"])["name"]}-{Guid.NewGuid():N}"[..^27];
    }

    public string WorkflowName { get; }

    /// <summary>Every container run, in order: its arguments, its exit code.</summary>
    public List<(string[] Args, int Code)> Containers { get; } = [];

    /// <summary>Runs the workflow with <paramref name="arguments"/> for its parameters; returns its status (Succeeded, Failed or Error).</summary>
    public async Task<string> RunAsync(IReadOnlyDictionary<string, string>? arguments = null)
    {
        _workflow["workflow.name"] = WorkflowName;
        if (_spec.TryGetValue("arguments", out var declared))
        {
            foreach (var parameter in List(Map(declared)["parameters"]).Select(Map))
            {
                var name = (string)parameter["name"];
                _workflow[$"workflow.parameters.{name}"] = arguments?.GetValueOrDefault(name) ?? (parameter.TryGetValue("value", out var value)
                    ? (string)value
                    : throw new AssertionException($"workflow parameter {name} has no value: Argo would refuse to submit it"));
            }
        }

        var result = await RunTemplateAsync((string)_spec["entrypoint"], new Dictionary<string, string>(StringComparer.Ordinal), _workflow);
        var status = result.Phase == "Succeeded" ? "Succeeded" : "Failed";
        if (_spec.TryGetValue("onExit", out var exit))
        {
            await RunTemplateAsync((string)exit, new Dictionary<string, string>(StringComparer.Ordinal), new Dictionary<string, string>(_workflow) { ["workflow.status"] = status });
        }

        return status;
    }

    private sealed record NodeResult(string Phase, IReadOnlyDictionary<string, string> Outputs);

    private async Task<NodeResult> RunTemplateAsync(string name, IReadOnlyDictionary<string, string> arguments, IReadOnlyDictionary<string, string> scope)
    {
        var template = _templates.TryGetValue(name, out var found) ? found : throw new AssertionException($"no template {name}");
        var local = new Dictionary<string, string>(_workflow, StringComparer.Ordinal);
        foreach (var key in scope.Keys.Where(k => k.StartsWith("workflow.", StringComparison.Ordinal)))
        {
            local[key] = scope[key];
        }

        if (template.TryGetValue("inputs", out var inputs))
        {
            foreach (var parameter in List(Map(inputs).GetValueOrDefault("parameters")).Select(Map))
            {
                var input = (string)parameter["name"];
                local[$"inputs.parameters.{input}"] = arguments.TryGetValue(input, out var value) ? value
                    : parameter.TryGetValue("value", out var fixedValue) ? (string)fixedValue
                    : parameter.TryGetValue("default", out var defaultValue) ? (string)defaultValue
                    : throw new AssertionException($"template {name}: input parameter {input} was not supplied");
            }
        }

        return template.ContainsKey("dag") ? await RunDagAsync(name, template, local)
            : template.ContainsKey("container") ? await RunContainerAsync(template, local)
            : throw new AssertionException($"template {name} is neither a DAG nor a container");
    }

    private async Task<NodeResult> RunDagAsync(string name, Dictionary<object, object> template, Dictionary<string, string> scope)
    {
        var tasks = List(Map(template["dag"])["tasks"]).Select(Map).ToDictionary(t => (string)t["name"], StringComparer.Ordinal);
        var done = new Dictionary<string, NodeResult>(StringComparer.Ordinal);
        while (done.Count < tasks.Count)
        {
            var ready = tasks.Values.Where(t => !done.ContainsKey((string)t["name"]) && Dependencies(t).All(done.ContainsKey)).ToList();
            Assert.That(ready, Is.Not.Empty, $"template {name}: the tasks left wait on one another or on tasks that do not exist: {string.Join(", ", tasks.Keys.Except(done.Keys))}");
            var results = await Task.WhenAll(ready.Select(t => RunTaskAsync(t, scope, done)));
            for (var i = 0; i < ready.Count; i++)
            {
                done[(string)ready[i]["name"]] = results[i];
            }
        }

        if (done.Values.Any(r => r.Phase is "Failed" or "Error"))
        {
            return new NodeResult("Failed", new Dictionary<string, string>());
        }

        // A DAG's output parameters, from its tasks': a reference (valueFrom.parameter) or an expression (valueFrom.expression).
        var tasksScope = TaskScope(scope, done);
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in List(template.TryGetValue("outputs", out var declared) ? Map(declared).GetValueOrDefault("parameters") : null).Select(Map))
        {
            var valueFrom = Map(parameter["valueFrom"]);
            outputs[(string)parameter["name"]] = valueFrom.TryGetValue("parameter", out var reference) ? Substitute((string)reference, tasksScope)
                : valueFrom.TryGetValue("expression", out var expression) ? OutputExpression.Evaluate((string)expression, tasksScope)
                : throw new AssertionException($"template {name}: output parameter {parameter["name"]} of a DAG needs valueFrom.parameter or valueFrom.expression");
        }

        return new NodeResult("Succeeded", outputs);
    }

    // What a task (or a DAG's outputs) can refer to of the tasks done: their status, and their output parameters.
    private static Dictionary<string, string> TaskScope(Dictionary<string, string> scope, IReadOnlyDictionary<string, NodeResult> done)
    {
        var taskScope = new Dictionary<string, string>(scope, StringComparer.Ordinal);
        foreach (var (other, result) in done)
        {
            taskScope[$"tasks.{other}.status"] = result.Phase;
            foreach (var (output, value) in result.Outputs)
            {
                taskScope[$"tasks.{other}.outputs.parameters.{output}"] = value;
            }
        }

        return taskScope;
    }

    private static IEnumerable<string> Dependencies(Dictionary<object, object> task) =>
        task.TryGetValue("depends", out var depends) ? TaskReference().Matches((string)depends).Select(m => m.Groups[1].Value).Distinct()
        : task.TryGetValue("dependencies", out var list) ? List(list).Cast<string>()
        : [];

    private async Task<NodeResult> RunTaskAsync(Dictionary<object, object> task, Dictionary<string, string> scope, IReadOnlyDictionary<string, NodeResult> done)
    {
        var taskScope = TaskScope(scope, done);
        var runs = task.TryGetValue("depends", out var depends)
            ? Evaluate(TaskReference().Replace((string)depends, m => Holds(done[m.Groups[1].Value].Phase, m.Groups[2].Value) ? "true" : "false"))
            : Dependencies(task).All(d => done[d].Phase is "Succeeded" or "Skipped" or "Omitted");
        if (!runs)
        {
            return new NodeResult("Omitted", new Dictionary<string, string>());
        }

        if (task.TryGetValue("when", out var when) && !Evaluate(Substitute((string)when, taskScope)))
        {
            return new NodeResult("Skipped", new Dictionary<string, string>());
        }

        var items = task.TryGetValue("withParam", out var withParam) ? JsonItems(Substitute((string)withParam, taskScope))
            : task.TryGetValue("withItems", out var withItems) ? List(withItems).Select(i => i.ToString()!).ToList()
            : task.TryGetValue("withSequence", out var sequence) ? Sequence(Map(sequence), taskScope)
            : null;
        if (items is null)
        {
            return await RunTemplateAsync((string)task["template"], Arguments(task, taskScope), taskScope);
        }

        // A fan-out over nothing is skipped; one over something succeeds when every child does, its outputs the children's, as JSON lists.
        if (items.Count == 0)
        {
            return new NodeResult("Skipped", new Dictionary<string, string>());
        }

        var children = await Task.WhenAll(items.Select(item => RunTemplateAsync((string)task["template"], Arguments(task, new Dictionary<string, string>(taskScope) { ["item"] = item }), taskScope)));
        var outputs = children.SelectMany(c => c.Outputs.Keys).Distinct().ToDictionary(k => k, k => JsonSerializer.Serialize(children.Select(c => c.Outputs.GetValueOrDefault(k))), StringComparer.Ordinal);
        return new NodeResult(children.All(c => c.Phase == "Succeeded") ? "Succeeded" : "Failed", outputs);
    }

    private static Dictionary<string, string> Arguments(Dictionary<object, object> task, Dictionary<string, string> scope) =>
        task.TryGetValue("arguments", out var arguments)
            ? List(Map(arguments).GetValueOrDefault("parameters")).Select(Map).ToDictionary(p => (string)p["name"], p => Substitute((string)p["value"], scope), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private async Task<NodeResult> RunContainerAsync(Dictionary<object, object> template, Dictionary<string, string> scope)
    {
        var container = Map(template["container"]);
        var limit = template.TryGetValue("retryStrategy", out var retry) && Map(retry).TryGetValue("limit", out var retries) ? int.Parse((string)retries, CultureInfo.InvariantCulture) : 0;
        var deadline = template.TryGetValue("activeDeadlineSeconds", out var seconds) ? TimeSpan.FromSeconds(int.Parse((string)seconds, CultureInfo.InvariantCulture)) : TestProcess.Patience;
        for (var attempt = 0; ; attempt++)
        {
            var pod = Path.Combine(_work, $"pod-{Interlocked.Increment(ref _pods)}");
            Directory.CreateDirectory(pod);
            var podScope = new Dictionary<string, string>(scope, StringComparer.Ordinal) { ["retries"] = attempt.ToString(CultureInfo.InvariantCulture) };
            Assert.That(container.ContainsKey("command"), Is.False, "the image's entrypoint (the program) runs the arguments");
            var args = List(container["args"]).Select(a => InPod(pod, Substitute((string)a, podScope))).ToArray();
            var environment = new Dictionary<string, string>(_environment, StringComparer.Ordinal);
            foreach (var variable in List(container.GetValueOrDefault("env")).Select(Map))
            {
                environment[(string)variable["name"]] = Substitute((string)variable["value"], podScope);
            }

            ProcessResult result;
            using (var process = TestProcess.StartProgram(_dll, _work, environment, args))
            {
                var clock = Stopwatch.StartNew();
                while (!process.HasExited && clock.Elapsed < deadline)
                {
                    await Task.Delay(20);
                }

                // Past its deadline a pod is killed, and fails.
                var late = !process.HasExited;
                if (late)
                {
                    process.KillTree();
                }

                result = process.WaitForExit(TimeSpan.FromSeconds(30));
                result = late ? result with { Code = 137 } : result;
            }

            lock (Containers)
            {
                Containers.Add((args, result.Code));
            }

            if (result.Code == 0)
            {
                var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var parameter in List(template.TryGetValue("outputs", out var declared) ? Map(declared).GetValueOrDefault("parameters") : null).Select(Map))
                {
                    var file = InPod(pod, (string)Map(parameter["valueFrom"])["path"]);
                    Assert.That(File.Exists(file), Is.True, $"output parameter {parameter["name"]} of {string.Join(' ', args)}: {file} was not written\n{result}");
                    outputs[(string)parameter["name"]] = File.ReadAllText(file).Trim();
                }

                return new NodeResult("Succeeded", outputs);
            }

            if (attempt >= limit)
            {
                TestContext.Out.WriteLine($"container failed: {result}");
                return new NodeResult("Failed", new Dictionary<string, string>());
            }
        }
    }

    // The pod's own file system: an absolute path under /tmp is a path in the pod's folder.
    private static string InPod(string pod, string text) =>
        text.StartsWith("/tmp/", StringComparison.Ordinal) ? Path.Combine(pod, text[1..]) : text;

    private static string Substitute(string text, IReadOnlyDictionary<string, string> scope) =>
        Expression().Replace(text, m => scope.TryGetValue(m.Groups[1].Value.Trim(), out var value)
            ? value
            : throw new AssertionException($"'{m.Value}' in '{text}' does not resolve: Argo would fail the workflow"));

    private static bool Holds(string phase, string condition) => condition switch
    {
        "Succeeded" => phase == "Succeeded",
        "Failed" => phase == "Failed",
        "Errored" => phase == "Error",
        "Skipped" => phase == "Skipped",
        "Omitted" => phase == "Omitted",
        "Completed" => phase is "Succeeded" or "Failed",
        _ => throw new AssertionException($"unsupported task result {condition}"),
    };

    // The boolean expressions `when` and `depends` use: comparisons of quoted strings or numbers, !, &&, || and parentheses.
    private static bool Evaluate(string expression)
    {
        var tokens = Token().Matches(expression).Select(m => m.Value).ToList();
        var position = 0;
        var value = Or(tokens, ref position);
        Assert.That(position, Is.EqualTo(tokens.Count), $"cannot read the expression '{expression}'");
        return value;
    }

    private static bool Or(List<string> tokens, ref int position)
    {
        var value = And(tokens, ref position);
        while (position < tokens.Count && tokens[position] == "||")
        {
            position++;
            value |= And(tokens, ref position);
        }

        return value;
    }

    private static bool And(List<string> tokens, ref int position)
    {
        var value = Unary(tokens, ref position);
        while (position < tokens.Count && tokens[position] == "&&")
        {
            position++;
            value &= Unary(tokens, ref position);
        }

        return value;
    }

    private static bool Unary(List<string> tokens, ref int position)
    {
        var token = tokens[position++];
        switch (token)
        {
            case "!":
                return !Unary(tokens, ref position);
            case "(":
                var inner = Or(tokens, ref position);
                Assert.That(tokens[position++], Is.EqualTo(")"));
                return inner;
            case "true":
                return true;
            case "false":
                return false;
        }

        var op = tokens[position++];
        var right = tokens[position++];
        var equal = string.Equals(Unquote(token), Unquote(right), StringComparison.Ordinal);
        return op switch
        {
            "==" => equal,
            "!=" => !equal,
            _ => throw new AssertionException($"unsupported operator {op}"),
        };
    }

    private static string Unquote(string token) => token.Length >= 2 && token[0] is '\'' or '"' ? token[1..^1] : token;

    private static List<string> JsonItems(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList();
    }

    private static List<string> Sequence(Dictionary<object, object> sequence, IReadOnlyDictionary<string, string> scope)
    {
        int Read(string key, int otherwise) => sequence.TryGetValue(key, out var v) ? int.Parse(Substitute((string)v, scope), CultureInfo.InvariantCulture) : otherwise;
        var start = Read("start", 0);
        var end = sequence.ContainsKey("count") ? start + Read("count", 0) - 1 : Read("end", start);
        return Enumerable.Range(start, Math.Max(0, end - start + 1)).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
    }

    private static Dictionary<object, object> Map(object? node) => (Dictionary<object, object>)node!;

    private static IEnumerable<object> List(object? node) => node is null ? [] : (List<object>)node;

    [GeneratedRegex(@"\{\{([^{}]+)\}\}")]
    private static partial Regex Expression();

    [GeneratedRegex(@"([A-Za-z0-9][-A-Za-z0-9]*)\.(Succeeded|Failed|Errored|Skipped|Omitted|Completed)")]
    private static partial Regex TaskReference();

    [GeneratedRegex(@"'[^']*'|""[^""]*""|&&|\|\||==|!=|!|\(|\)|[^\s()!=&|]+")]
    private static partial Regex Token();
}
