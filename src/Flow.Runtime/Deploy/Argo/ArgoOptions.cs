namespace Flow.Deploy.Argo;

/// <summary>What <c>deploy argo</c> was told: the image, where the datastore is, and how pods reach it.</summary>
internal sealed record ArgoOptions
{
    /// <summary>The container image that holds the flow's program, with the program as its entrypoint.</summary>
    public required string Image { get; init; }

    /// <summary>The S3 datastore's root, <c>s3://BUCKET/PREFIX</c>.</summary>
    public required string DatastoreRoot { get; init; }

    /// <summary>The flow's name as the program's first argument, for a program of several flows; else null.</summary>
    public string? FlowArgument { get; init; }

    /// <summary>A Kubernetes secret whose keys become every container's environment (AWS credentials, for one).</summary>
    public string? Secret { get; init; }

    /// <summary>The service account the pods run as (which may carry the S3 permissions instead of a secret).</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>The Kubernetes namespace of the resources written.</summary>
    public string? Namespace { get; init; }

    /// <summary>The deployment's branch (<c>prod</c>, <c>test.NAME</c>, <c>user.NAME</c>); null: no branch (tests).</summary>
    public string? Branch { get; init; }

    /// <summary>The deployment's production token: its runs are in namespace <c>production:TOKEN</c>.</summary>
    public string? ProductionToken { get; init; }

    /// <summary>The time zone of the schedule (an IANA name); null: UTC.</summary>
    public string? Timezone { get; init; }

    /// <summary>Whether every task also stores the default card (<c>deploy argo --with card</c>).</summary>
    public bool WithCard { get; init; }

    /// <summary>Whether the tasks of [Cache] steps always run, looking nothing up (<c>deploy argo --no-cache</c>).</summary>
    public bool NoCache { get; init; }

    /// <summary>Settings that are no secret, passed on to every container as they are here (the S3 region and endpoint).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}
