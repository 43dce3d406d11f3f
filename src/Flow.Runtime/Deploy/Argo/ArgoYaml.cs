using YamlDotNet.Serialization;

namespace Flow.Deploy.Argo;

/// <summary>Writes resources as YAML, quoting every string that YAML would otherwise read as a number, a boolean or null.</summary>
internal static class ArgoYaml
{
    public static string Write(ArgoResource resource) =>
        new SerializerBuilder().DisableAliases().WithQuotingNecessaryStrings().Build().Serialize(resource.Document);
}
