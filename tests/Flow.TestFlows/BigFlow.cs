using System.Security.Cryptography;

namespace Flow.TestFlows;

/// <summary>
/// Each child writes a large artifact (<c>FLOW_TEST_BIG_MB</c>, default 64) of reproducible bytes; the
/// second can be killed while its blob is being written (<see cref="Faults.KillWhileWriting"/>).
/// The join reads every blob back and records its digest.
/// </summary>
public partial class BigFlow : FlowSpec
{
    public List<int> Parts { get; set; } = [];

    public byte[] Data { get; set; } = [];

    public string Digest { get; set; } = "";

    public List<string> Digests { get; set; } = [];

    [Step]
    [Foreach(nameof(Parts))]
    public void Start()
    {
        Parts = [0, 1];
        Next(Write);
    }

    [Step]
    public void Write(int part)
    {
        var size = (int.TryParse(Environment.GetEnvironmentVariable("FLOW_TEST_BIG_MB"), out var mb) ? mb : 64) << 20;
        var data = new byte[size];
        new Random(part).NextBytes(data);
        Data = data;
        Digest = Convert.ToHexStringLower(SHA256.HashData(data));
        if (part == 1)
        {
            Faults.KillWhileWriting(data);
        }

        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<BigFlow> inputs)
    {
        Digests = inputs.Select(i => Convert.ToHexStringLower(SHA256.HashData(i.Data)) == i.Digest ? i.Digest : "mismatch").ToList();
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"digests = {string.Join(",", Digests)}");
}
