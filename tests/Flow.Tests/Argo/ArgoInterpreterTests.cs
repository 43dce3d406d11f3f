using NUnit.Framework;

namespace Flow.Tests.Argo;

/// <summary>The interpreter itself, on a hand-written WorkflowTemplate whose containers run BranchFlow's <c>show</c> command.</summary>
public class ArgoInterpreterTests
{
    private const string Template = """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: probe
        spec:
          entrypoint: main
          onExit: report
          arguments:
            parameters:
            - name: format
              value: dot
          templates:
          - name: main
            dag:
              tasks:
              - name: each
                template: show
                withItems: [text, mermaid]
                arguments:
                  parameters:
                  - name: format
                    value: "{{item}}"
              - name: counted
                template: show
                withSequence:
                  count: "3"
                arguments:
                  parameters:
                  - name: format
                    value: "{{workflow.parameters.format}}"
              - name: after
                template: show
                dependencies: [each, counted]
                arguments:
                  parameters:
                  - name: format
                    value: "{{workflow.parameters.format}}"
              - name: bad
                template: show
                depends: after.Succeeded
                arguments:
                  parameters:
                  - name: format
                    value: bogus
              - name: rescue
                template: show
                depends: bad.Failed
                when: "'{{workflow.parameters.format}}' != 'text'"
              - name: never
                template: show
                depends: bad.Succeeded
          - name: show
            inputs:
              parameters:
              - name: format
                default: text
            container:
              image: probe
              args: [show, --format, "{{inputs.parameters.format}}"]
          - name: report
            container:
              image: probe
              args: [show, --format, "{{workflow.status}}"]
        """;

    [Test]
    public async Task ItFollowsTheDagsFanOutsConditionsAndExitHandler()
    {
        var work = Directory.CreateTempSubdirectory("flow-argo-probe-").FullName;
        try
        {
            var argo = new ArgoInterpreter(Template, RepoPaths.SampleDll("BranchFlow"), work, new Dictionary<string, string>());
            Assert.That(await argo.RunAsync(), Is.EqualTo("Failed"), "a task failed");
            var formats = argo.Containers.Select(c => (c.Args[2], c.Code)).ToList();
            Assert.That(formats.Take(5), Is.EquivalentTo(new[] { ("text", 0), ("mermaid", 0), ("dot", 0), ("dot", 0), ("dot", 0) }), "withItems, and withSequence's three");
            Assert.That(formats.Skip(5), Is.EqualTo(new[] { ("dot", 0), ("bogus", 2), ("text", 0), ("Failed", 2) }), "after both fan-outs; the failure; its rescue (the input's default); never the task after a success that did not happen; the exit handler");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Test]
    public void AnOutputExpressionEvaluatesOnlyTheBranchItTakes()
    {
        var scope = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["tasks.iteration.outputs.parameters.next"] = "Found",
            ["tasks.flip-coin.outputs.parameters.side"] = "heads",
        };
        const string Loop = "tasks.iteration.outputs.parameters.next == 'Poll' ? tasks.again.outputs.parameters.next : tasks.iteration.outputs.parameters.next";
        Assert.That(OutputExpression.Evaluate(Loop, scope), Is.EqualTo("Found"), "the skipped task's output is not read");
        Assert.That(() => OutputExpression.Evaluate(Loop.Replace("'Poll'", "'Found'", StringComparison.Ordinal), scope),
            Throws.InstanceOf<AssertionException>().With.Message.Contains("'tasks.again.outputs.parameters.next' in"), "the branch taken must resolve");
        Assert.That(OutputExpression.Evaluate("tasks['flip-coin'].outputs.parameters.side != \"heads\" || !(true && false) ? 'a' : 'b'", scope), Is.EqualTo("a"));
        Assert.That(() => OutputExpression.Evaluate("tasks.flip-coin.outputs.parameters.side", scope), Throws.InstanceOf<AssertionException>());
    }

    [Test]
    public void AnExpressionThatDoesNotResolveFailsAsArgoWould()
    {
        var work = Directory.CreateTempSubdirectory("flow-argo-probe-").FullName;
        try
        {
            var argo = new ArgoInterpreter(Template.Replace("{{item}}", "{{items}}", StringComparison.Ordinal), RepoPaths.SampleDll("BranchFlow"), work, new Dictionary<string, string>());
            Assert.That(() => argo.RunAsync(), Throws.InstanceOf<AssertionException>().With.Message.Contains("'{{items}}' in '{{items}}' does not resolve"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
