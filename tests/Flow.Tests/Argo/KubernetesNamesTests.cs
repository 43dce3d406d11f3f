using Flow.Deploy.Argo;
using NUnit.Framework;

namespace Flow.Tests.Argo;

public class KubernetesNamesTests
{
    [TestCase("BranchFlow", "branchflow")]
    [TestCase("train_model", "train-model")]
    [TestCase("__Odd..Name__", "odd-name")]
    [TestCase("Step2", "step2")]
    public void ANameIsLowerCasedWithOtherCharactersAsHyphens(string name, string label) =>
        Assert.That(KubernetesNames.Of(name), Is.EqualTo(label));

    [Test]
    public void ALongNameIsCutAndEndsWithAHashOfTheWholeName()
    {
        var first = KubernetesNames.Of(new string('a', 80) + "One");
        var second = KubernetesNames.Of(new string('a', 80) + "Two");
        Assert.That(first, Has.Length.LessThanOrEqualTo(63).And.Match("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
        Assert.That(first, Is.Not.EqualTo(second), "names that share their first 63 characters stay apart");
        Assert.That(first, Does.EndWith("-" + KubernetesNames.Hash(new string('a', 80) + "One")));
    }

    [Test]
    public void TwoNamesThatMeetAreKeptApart()
    {
        var names = new KubernetesNames();
        names.Reserve("create-run");
        Assert.That(names.Unique("A_b"), Is.EqualTo("a-b"));
        Assert.That(names.Unique("A-b"), Is.EqualTo("a-b-" + KubernetesNames.Hash("A-b")));
        Assert.That(names.Unique("Create_Run"), Is.EqualTo("create-run-" + KubernetesNames.Hash("Create_Run")), "a name the manifest uses itself");
    }
}
