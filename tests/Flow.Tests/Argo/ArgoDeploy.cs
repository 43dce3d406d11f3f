using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Flow.Tests.Argo;

/// <summary>Runs <c>deploy argo</c> of a sample or a test flow as a user does, and reads back what it wrote.</summary>
internal static class ArgoDeploy
{
    /// <summary>Credentials in the deploying environment, which no manifest may hold.</summary>
    public const string AccessKey = "ARGOTESTACCESSKEY9Z1";
    public const string SecretKey = "argo/test+secret/5e0c";

    /// <summary>The program of <paramref name="flow"/>, and the arguments that name it: a sample is a program of its own; the test flows share one.</summary>
    public static (string Dll, string[] Prefix) Program(string flow) =>
        File.Exists(RepoPaths.SampleDll(flow)) || Directory.Exists(Path.Combine(RepoPaths.Samples, flow))
            ? (RepoPaths.SampleDll(flow), [])
            : (RepoPaths.TestFlowsDll, [flow]);

    /// <summary>The environment of a deploy: an S3 datastore, a region, and credentials (which must stay out of the manifests).</summary>
    public static Dictionary<string, string> Environment(string root = "s3://flow-tests/argo") => new(StringComparer.Ordinal)
    {
        ["FLOW_DATASTORE_ROOT"] = root,
        ["AWS_REGION"] = "eu-west-1",
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
    };

    public static ProcessResult Run(string flow, string work, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var (dll, prefix) = Program(flow);
        return TestProcess.RunProgram(dll, work, environment ?? Environment(), [.. prefix, "deploy", "argo", .. args]);
    }

    /// <summary>Deploys <paramref name="flow"/> into a folder and returns the files written, by name.</summary>
    public static Dictionary<string, string> ToFolder(string flow, string work, IReadOnlyDictionary<string, string>? environment = null, params string[] args)
    {
        var folder = Path.Combine(work, "manifests-" + flow);
        var result = Run(flow, work, environment, ["--image", "registry.example/flows/app:1.0", "--output", folder, .. args]);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        return Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
    }

    /// <summary>The templates of a WorkflowTemplate, by name.</summary>
    public static Dictionary<string, JsonObject> Templates(JsonNode workflowTemplate) =>
        workflowTemplate["spec"]!["templates"]!.AsArray().ToDictionary(t => (string)t!["name"]!, t => t!.AsObject(), StringComparer.Ordinal);
}
