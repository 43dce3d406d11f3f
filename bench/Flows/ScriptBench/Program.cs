using System.Diagnostics;
using Flow;

// Script.Run with 50 MiB of doubles each way, the script doubling them: the whole call as a step sees it (the array's
// file, the interpreter's start, the script, the result read back), against an empty script (the interpreter's start
// alone); and the same values as a double[,] of 25,600 x 256 (a 2-D numpy array, an R matrix). Python is FLOW_PYTHON, else /usr/bin/python3; R is FLOW_RSCRIPT, else Rscript. Median of --reps calls (5).
var reps = args is ["--reps", var n] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 5;
if (Environment.GetEnvironmentVariable("FLOW_PYTHON") is null && File.Exists("/usr/bin/python3"))
{
    Environment.SetEnvironmentVariable("FLOW_PYTHON", "/usr/bin/python3");
}

var values = new double[50 * 1024 * 1024 / sizeof(double)];
var random = new Random(7);
for (var i = 0; i < values.Length; i++)
{
    values[i] = (random.NextDouble() * 1000) - 500;
}

var matrix = new double[values.Length / 256, 256];
Buffer.BlockCopy(values, 0, matrix, 0, values.Length * sizeof(double));

string Script(string name) => Path.Combine(AppContext.BaseDirectory, "scripts", name);

double Median(Func<double[]> call, int times)
{
    var measured = new List<double>();
    for (var i = 0; i < times; i++)
    {
        var clock = Stopwatch.StartNew();
        var result = call();
        clock.Stop();
        if (result.Length != values.Length || result[^1] != values[^1] * 2)
        {
            throw new InvalidOperationException("The script did not double the values.");
        }

        measured.Add(clock.Elapsed.TotalMilliseconds);
    }

    return measured.Order().ElementAt(measured.Count / 2);
}

double Empty(string name) => Enumerable.Range(0, reps).Select(_ =>
{
    var clock = Stopwatch.StartNew();
    Flow.Script.Run<int>(Script(name));
    return clock.Elapsed.TotalMilliseconds;
}).Order().ElementAt(reps / 2);

double MedianMatrix(string name) => Enumerable.Range(0, reps).Select(_ =>
{
    var clock = Stopwatch.StartNew();
    var result = Flow.Script.Run<double[,]>(Script(name), new { Values = matrix });
    clock.Stop();
    if (result.GetLength(0) != matrix.GetLength(0) || result.GetLength(1) != 256 || result[1, 0] != matrix[1, 0] * 2 || result[matrix.GetLength(0) - 1, 255] != matrix[matrix.GetLength(0) - 1, 255] * 2)
    {
        throw new InvalidOperationException("The script did not double the matrix.");
    }

    return clock.Elapsed.TotalMilliseconds;
}).Order().ElementAt(reps / 2);

Console.WriteLine("| script | 50 MiB in and out | empty script |");
Console.WriteLine("|---|---:|---:|");
Console.WriteLine($"| Python, raw arrays | {Median(() => Flow.Script.Run<double[]>(Script("double.py"), new { Values = values }), reps):0} ms | {Empty("empty.py"):0} ms |");
Console.WriteLine($"| R, raw arrays | {Median(() => Flow.Script.Run<double[]>(Script("double.R"), new { Values = values }), reps):0} ms | {Empty("empty.R"):0} ms |");
Console.WriteLine($"| Python / R, the same values as a double[,] of 25,600 × 256 (a 2-D ndarray, an R matrix) | {MedianMatrix("double.py"):0} ms / {MedianMatrix("double.R"):0} ms | |");
Console.WriteLine($"| Python, the same values as JSON text both ways | {Median(() => Flow.Script.Run<double[]>(Script("double_json.py"), new { Values = values.Select(v => v) }), 1):0} ms (one call) | |");
