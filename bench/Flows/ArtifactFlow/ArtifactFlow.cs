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
        var payload = new byte[SizeMib * (1 << 20)];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(i * 31 + (i >> 11));
        }

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
