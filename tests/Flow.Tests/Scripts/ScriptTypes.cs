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

/// <summary>Rectangular arrays of each element type, as a step passes them to a script (matrices.py, matrices.R).</summary>
public sealed class Matrices
{
    public string Mode { get; init; } = "";

    public double[,] Doubles { get; init; } = new double[0, 0];

    public float[,] Floats { get; init; } = new float[0, 0];

    public int[,] Ints { get; init; } = new int[0, 0];

    public long[,] Longs { get; init; } = new long[0, 0];

    public Dictionary<string, string> Kinds { get; init; } = [];
}

/// <summary>What matrices.py and matrices.R compute from Matrices: each one's column sums and shape.</summary>
public sealed record MatrixSums(Dictionary<string, double[]> ColumnSums, Dictionary<string, int[]> Shapes);

/// <summary>Rectangular arrays a script makes, in the forms and types it may return them.</summary>
public sealed class MadeMatrices
{
    public double[,] Counting { get; init; } = new double[0, 0];

    public int[,] Transposed { get; init; } = new int[0, 0];

    public float[,] Narrowed { get; init; } = new float[0, 0];

    public long[,] Whole { get; init; } = new long[0, 0];

    public List<double[]> Rows { get; init; } = [];

    public double[,] Listed { get; init; } = new double[0, 0];

    public double[] Values { get; init; } = [];
}

/// <summary>Collections that an R script returns as one value (jsonlite's auto_unbox).</summary>
public sealed record SingleValues(List<string> Names, string[] Tags, List<double> Scores, List<Inner> Items, IReadOnlyList<string> None);

/// <summary>The rows of matrices.* in make mode, as read-only lists of a list's rows.</summary>
public sealed class RowsAsInterfaces
{
    public IReadOnlyList<IReadOnlyList<double>> Rows { get; init; } = [];
}

/// <summary>The rows of matrices.* in make mode, as decimals.</summary>
public sealed class RowsAsDecimals
{
    public List<decimal[]> Rows { get; init; } = [];
}
