using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace Flow.Tests.Argo;

/// <summary>Argo Workflows' JSON schema (Argo/Schema/schema.json), and YAML read as the JSON that Kubernetes reads from it.</summary>
internal static class ArgoSchema
{
    private static readonly Dictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);

    /// <summary>The schema's complaints about a YAML document of kind <paramref name="kind"/>: none when it is valid.</summary>
    public static IReadOnlyList<string> Errors(string yaml, string kind)
    {
        var json = ToJson(yaml);
        var results = For(kind).Evaluate(JsonDocument.Parse(json.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
                .DefaultIfEmpty("invalid, with no detail")
                .ToList();
    }

    // The schema's root accepts any of its kinds; each kind is checked against its own definition instead, so a
    // WorkflowTemplate cannot pass as another kind of the same shape.
    private static JsonSchema For(string kind)
    {
        lock (Schemas)
        {
            if (!Schemas.TryGetValue(kind, out var schema))
            {
                var root = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Argo", "Schema", "schema.json")))!.AsObject();
                var definition = $"io.argoproj.workflow.v1alpha1.{kind}";
                Assert.That(root["definitions"]![definition], Is.Not.Null, $"the schema defines no {kind}");
                root.Remove("oneOf");
                root.Remove("$id");
                root["$ref"] = $"#/definitions/{definition}";
                // Kubernetes annotates its schemas with x-kubernetes-* keywords, which carry no constraint.
                var dialect = Dialect.Draft202012.With([], allowUnknownKeywords: true);
                schema = JsonSchema.FromText(root.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = dialect });
                Schemas[kind] = schema;
            }

            return schema;
        }
    }

    /// <summary>One YAML document as JSON: plain scalars as YAML's core schema reads them (numbers, booleans, null), quoted ones as strings.</summary>
    public static JsonNode ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        Assert.That(stream.Documents, Has.Count.EqualTo(1), "one document");
        return Convert(stream.Documents[0].RootNode) ?? throw new AssertionException("an empty document");
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new AssertionException($"unexpected YAML node {node.NodeType}"),
    };

    private static JsonNode? Plain(string text)
    {
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && !text.Any(char.IsLetter)
            ? JsonValue.Create(real)
            : JsonValue.Create(text);
    }
}
