using Flow;

namespace Samples;

/// <summary>
/// The branch flow's result as a web service: after <c>run</c>, <c>serve</c> answers <c>GET /show_data</c> with
/// <c>{"result":3}</c>, from the latest successful run.
/// </summary>
public partial class BranchService : WebServiceSpec<BranchFlow>
{
    [Endpoint]
    public object ShowData() => new { result = Artifacts.Out };
}
