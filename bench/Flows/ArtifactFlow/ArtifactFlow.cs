using Flow;

namespace Bench;

/// <summary>Start writes a 100 MiB byte[] artifact, Read reads it back: measures large-artifact storage.</summary>
public partial class ArtifactFlow : FlowSpec
{
    [Parameter(Help = "The artifact's size in MiB.")]
    public int SizeMib { get; set; } = 100;

    public byte[] Payload { get; set; } = [];

    public long Checksum { get; set; }

    [Step]
    public void Start()
    {
        // Random bytes, so compression cannot make the artifact smaller than it is; Random.Shared fills
        // 100 MiB in a few tens of milliseconds, where a seeded Random takes about a second.
        var payload = new byte[SizeMib * (1 << 20)];
        Random.Shared.NextBytes(payload);
        Payload = payload;
        Next(Read);
    }

    [Step]
    public void Read()
    {
        long sum = 0;
        foreach (var b in Payload)
        {
            sum += b;
        }

        Checksum = sum;
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"checksum = {Checksum}");
}
