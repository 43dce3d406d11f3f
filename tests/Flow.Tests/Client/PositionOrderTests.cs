using Flow.Client;
using NUnit.Framework;

namespace Flow.Tests.Client;

public class PositionOrderTests
{
    [Test]
    public void PositionsSortByForeachIndicesAsNumbersThenIteration()
    {
        string[] positions = ["Work/10", "Work/2", "Work/1.3#2", "Work/1.3", "Work/1.3#10", "Work/1.10", "Work/", "odd", "Work/x"];

        var sorted = positions.Order(PositionOrder.Instance).ToList();

        Assert.That(sorted, Is.EqualTo(new[] { "Work/", "Work/1.3", "Work/1.3#2", "Work/1.3#10", "Work/1.10", "Work/2", "Work/10", "Work/x", "odd" }));
    }
}
