using Flow;

namespace MyFlow;

/// <summary>
/// The flow's results as a web service: <c>dotnet run -- serve</c> answers <c>GET /show_data</c> from the latest
/// successful run, and switches to a newer run by itself. Each [Endpoint] method is a route: its name in snake_case.
/// </summary>
public partial class BranchFlowService : WebServiceSpec<BranchFlow>
{
    // Artifacts are the final artifacts of the run being served, typed as the flow.
    [Endpoint]
    public object ShowData() => new { result = Artifacts.Out };
}
