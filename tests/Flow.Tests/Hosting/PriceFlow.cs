using Flow.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Flow.Tests.Hosting;

/// <summary>A flow whose final artifacts depend on a parameter, so that each run serves other values.</summary>
public partial class PriceFlow : FlowSpec
{
    [Parameter]
    public int Base { get; set; } = 3;

    public Dictionary<string, double> Prices { get; set; } = [];

    public int Out { get; set; }

    /// <summary>Large enough to be stored as a blob of its own, not inline in the task's record.</summary>
    public double[] Curve { get; set; } = [];

    [Step]
    public void Start()
    {
        Prices = new() { ["basic"] = Base, ["premium"] = Base * 2.5 };
        Curve = Enumerable.Range(0, 100).Select(i => Base * (double)i).ToArray();
        Next(End);
    }

    [Step]
    public void End() => Out = Base;
}

/// <summary>What a what-if request sends.</summary>
public sealed record Scenario(string Plan, int Months, double Discount = 0);

/// <summary>What an order request sends: a plain class, whose members JSON may leave out.</summary>
public sealed class Order
{
    /// <summary>Non-nullable without a default: a body must send it.</summary>
    public string Plan { get; set; } = null!;

    /// <summary>Non-nullable with a default: a body may leave it out.</summary>
    public string Currency { get; set; } = "EUR";

    public string? Note { get; set; }

    public Address? Billing { get; set; }
}

/// <summary>A member of an order, to name a missing member below the body's top level.</summary>
public sealed class Address
{
    public string City { get; set; } = null!;
}

/// <summary>What a what-if request gets.</summary>
public sealed record Quote(string Plan, double Total);

/// <summary>
/// A service whose definition is written here in the shape the generator writes, so that the host is tested on its own:
/// its methods carry no [Endpoint], which the generator would answer with a definition of its own.
/// </summary>
public sealed class PriceService : WebServiceSpec<PriceFlow>, IWebServiceProvider<PriceService>, IDisposable
{
    private static int s_loads;
    private static int s_disposed;

    public static WebServiceDefinition<PriceService> Definition { get; } = new PriceServiceDefinition();

    /// <summary>How many instances got their run's artifacts, over every test.</summary>
    public static int Loads => Volatile.Read(ref s_loads);

    /// <summary>How many instances were disposed, over every test.</summary>
    public static int Disposed => Volatile.Read(ref s_disposed);

    /// <summary>Whether this instance was disposed (it must not answer after that).</summary>
    public bool IsDisposed { get; private set; }

    public double Ratio() => IsDisposed ? throw new ObjectDisposedException(nameof(PriceService)) : double.NaN;

    public void Dispose()
    {
        IsDisposed = true;
        Interlocked.Increment(ref s_disposed);
    }

    public object ShowData() => new { result = Artifacts.Out };

    public double Price(string plan, int months = 1) =>
        months < 1 ? throw new BadHttpRequestException($"months must be at least 1, not {months}.")
        : Artifacts.Prices.TryGetValue(plan, out var price) ? price * months
        : throw new KeyNotFoundException($"No plan '{plan}' in /var/lib/prices/catalogue.json");

    public IResult Plan(string name) => Artifacts.Prices.TryGetValue(name, out var price) ? Results.Ok(price) : Results.NotFound();

    public Quote WhatIf(Scenario scenario) => new(scenario.Plan, Artifacts.Prices[scenario.Plan] * scenario.Months * (1 - scenario.Discount));

    public string PlaceOrder(Order order) => $"{order.Plan.ToUpperInvariant()} {order.Currency} {order.Note ?? "-"} {order.Billing?.City.ToUpperInvariant() ?? "-"}";

    public async Task<string> Slow(CancellationToken cancellationToken)
    {
        await Task.Delay(20, cancellationToken);
        return Run.Id;
    }

    protected override void OnLoaded() => Interlocked.Increment(ref s_loads);

    private sealed class PriceServiceDefinition()
        : WebServiceDefinition<PriceService>(
            nameof(PriceService),
            Cli.FlowApp.DefinitionOf<PriceFlow>(),
            [new("ShowData", "/show_data", "GET"), new("Price", "/price", "GET"), new("WhatIf", "/what_if", "POST"), new("Slow", "/slow", "GET"), new("Ratio", "/ratio", "GET"), new("Plan", "/plan", "GET"), new("PlaceOrder", "/place_order", "POST")])
    {
        public override PriceService Create() => new();

        public override void MapEndpoints(IEndpointRouteBuilder endpoints)
        {
            endpoints.MapGet("/show_data", static (HttpContext __context) => Service(__context).ShowData()).WithName("ShowData");
            endpoints.MapGet("/price", static (HttpContext __context, [FromQuery(Name = "plan")] string plan, [FromQuery(Name = "months")] int months = 1) => Service(__context).Price(plan, months)).WithName("Price");
            endpoints.MapPost("/what_if", static (HttpContext __context, [FromBody] Scenario scenario) => Service(__context).WhatIf(scenario)).WithName("WhatIf");
            endpoints.MapPost("/place_order", static (HttpContext __context, [FromBody] Order order) => Service(__context).PlaceOrder(order)).WithName("PlaceOrder");
            endpoints.MapGet("/plan", static (HttpContext __context, [FromQuery(Name = "name")] string name) => Service(__context).Plan(name)).WithName("Plan");
            endpoints.MapGet("/ratio", (Delegate)(static (HttpContext __context) => Service(__context).Ratio())).WithName("Ratio");
            endpoints.MapGet("/slow", static async (HttpContext __context, CancellationToken cancellationToken) => TypedResults.Ok(await Service(__context).Slow(cancellationToken))).WithName("Slow");
        }
    }
}
