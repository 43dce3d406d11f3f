using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flow.Hosting;

/// <summary>Implemented by the generator on every valid web service: gives the host the service's definition.</summary>
/// <typeparam name="TService">The service.</typeparam>
public interface IWebServiceProvider<TService>
    where TService : WebServiceSpec, IWebServiceProvider<TService>
{
    /// <summary>The service's generated definition: its flow, its endpoints and how to map them.</summary>
    static abstract WebServiceDefinition<TService> Definition { get; }
}

/// <summary>One endpoint of a service: the method, its route and its HTTP method.</summary>
/// <param name="Method">The C# method's name.</param>
/// <param name="Route">The route: <c>/</c> and the snake_case of the name.</param>
/// <param name="HttpMethod"><c>GET</c> or <c>POST</c>.</param>
public sealed record EndpointInfo(string Method, string Route, string HttpMethod);

/// <summary>What the host knows of a web service: the flow it serves, its endpoints, and how to create and map it.</summary>
public abstract class WebServiceDefinition
{
    private protected WebServiceDefinition(string name, FlowDefinition flow, IReadOnlyList<EndpointInfo> endpoints)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(endpoints);
        Name = name;
        Flow = flow;
        Endpoints = endpoints;
    }

    /// <summary>The service class's name.</summary>
    public string Name { get; }

    /// <summary>The definition of the flow whose runs it serves.</summary>
    public FlowDefinition Flow { get; }

    /// <summary>Its endpoints, in source order.</summary>
    public IReadOnlyList<EndpointInfo> Endpoints { get; }

    /// <summary>Maps every endpoint onto <paramref name="endpoints"/> (a route group of the host's).</summary>
    public abstract void MapEndpoints(IEndpointRouteBuilder endpoints);

    /// <summary>A new instance, without its run.</summary>
    internal abstract WebServiceSpec CreateInstance();
}

/// <summary>The definition of web service <typeparamref name="TService"/>; the generator writes one for each.</summary>
/// <typeparam name="TService">The service.</typeparam>
public abstract class WebServiceDefinition<TService> : WebServiceDefinition
    where TService : WebServiceSpec
{
    /// <summary>A definition with the service's name, flow and endpoints.</summary>
    protected WebServiceDefinition(string name, FlowDefinition flow, IReadOnlyList<EndpointInfo> endpoints)
        : base(name, flow, endpoints)
    {
    }

    /// <summary>A new instance of the service.</summary>
    public abstract TService Create();

    /// <summary>The instance that answers <paramref name="context"/>: the one of the run the request started with.</summary>
    /// <exception cref="InvalidOperationException">The request did not come through the service's host.</exception>
    protected static TService Service(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<ServedRun>()?.Service as TService
            ?? throw new InvalidOperationException($"The request to {context.Request.Path} has no run of {typeof(TService).Name}: map the service with UseFlowService<{typeof(TService).Name}>().");
    }

    internal sealed override WebServiceSpec CreateInstance() => Create();
}
