namespace Flow.Tests.Scripts;

public sealed record Inner(string Label, double Score);

/// <summary>Every mapped type, as a step passes it to a script.</summary>
public class Sample
{
    public int Count { get; init; }

    public long Big { get; init; }

    public double Ratio { get; init; }

    public float Single { get; init; }

    public bool Flag { get; init; }

    public string Text { get; init; } = "";

    public string? Nothing { get; init; }

    public List<string> Names { get; init; } = [];

    public Dictionary<string, int> Counts { get; init; } = [];

    public Inner Nested { get; init; } = new("", 0);

    public List<Inner> Items { get; init; } = [];

    public byte[] Blob { get; init; } = [];

    public double[] Values { get; init; } = [];

    public float[] Floats { get; init; } = [];

    public int[] Ints { get; init; } = [];

    public long[] Longs { get; init; } = [];

    public List<double[]> Rows { get; init; } = [];

    public List<double> Series { get; init; } = [];
}

/// <summary>What echo.py and echo.R return: the inputs, the script's type of each, and the sum of Values.</summary>
public sealed class Echo : Sample
{
    public Dictionary<string, string> Kinds { get; init; } = [];

    public double ValuesSum { get; init; }

    public string Folder { get; init; } = "";
}

public sealed record ScoreResult(double Auc, string Shard);
