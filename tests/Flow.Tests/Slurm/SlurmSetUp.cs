using NUnit.Framework;

namespace Flow.Tests.Slurm;

/// <summary>
/// Stops the Slurm clusters the tests started (<see cref="SlurmCluster"/>) after the last test in this namespace.
/// Tests elsewhere that start one are covered by the cluster's own stop at process exit.
/// </summary>
[SetUpFixture]
public sealed class SlurmSetUp
{
    [OneTimeTearDown]
    public void StopSlurmClusters() => SlurmCluster.StopAll();
}
