using System.Diagnostics;
using NUnit.Framework;

namespace Flow.Tests.Scripts;

[NonParallelizable]
public class ScriptTests
{
    private readonly Dictionary<string, string?> _saved = [];

    [SetUp]
    public void ChooseInterpreters()
    {
        foreach (var name in new[] { "FLOW_PYTHON", "FLOW_RSCRIPT", "PYTHONPATH", "PATH" })
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
        }
    }

    [TearDown]
    public void Restore()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    private static string Use(string language)
    {
        if (language == "py")
        {
            Environment.SetEnvironmentVariable("FLOW_PYTHON", Interpreters.Python);
        }
        else
        {
            Environment.SetEnvironmentVariable("FLOW_RSCRIPT", Interpreters.Rscript);
        }

        return language;
    }

    private static string File(string name) => Path.Combine("Scripts", "files", name);

    internal static Sample NewSample() => new()
    {
        Count = 3,
        Big = (1L << 40) + 1,
        Ratio = 0.1,
        Single = 1.5f,
        Flag = true,
        Text = "héllo \"quoted\"\n\ttabbed ✓",
        Nothing = null,
        Names = ["a", "b c"],
        Counts = new() { ["x"] = 1, ["Y z"] = -2 },
        Nested = new("inner", 1.0 / 3),
        Items = [new("one", 1), new("two", 2.5)],
        Blob = [0, 1, 2, 255, 128],
        Values = [1.0, 2.5, -3.25, 1e300, 5e-324],
        Floats = [1.5f, float.NaN, float.NegativeInfinity, 3.4e38f],
        Ints = [0, -1, int.MaxValue, int.MinValue + 1],
        Longs = [0, -1, 1L << 40, -(1L << 52)],
        Rows = [[1, 2], [3, 4, 5], []],
        Series = [0.5, 0.25, 0.125],
    };

    private static void AssertEchoed(Echo echo, Sample sample)
    {
        Assert.Multiple(() =>
        {
            Assert.That(echo.Count, Is.EqualTo(sample.Count));
            Assert.That(echo.Big, Is.EqualTo(sample.Big));
            Assert.That(echo.Ratio, Is.EqualTo(sample.Ratio));
            Assert.That(echo.Single, Is.EqualTo(sample.Single));
            Assert.That(echo.Flag, Is.True);
            Assert.That(echo.Text, Is.EqualTo(sample.Text));
            Assert.That(echo.Nothing, Is.Null);
            Assert.That(echo.Names, Is.EqualTo(sample.Names));
            Assert.That(echo.Counts, Is.EqualTo(sample.Counts));
            Assert.That(echo.Nested, Is.EqualTo(sample.Nested), "a record, exactly (1/3 to the last bit)");
            Assert.That(echo.Items, Is.EqualTo(sample.Items));
            Assert.That(echo.Blob, Is.EqualTo(sample.Blob));
            Assert.That(echo.Values, Is.EqualTo(sample.Values));
            Assert.That(echo.Floats, Is.EqualTo(sample.Floats));
            Assert.That(echo.Ints, Is.EqualTo(sample.Ints));
            Assert.That(echo.Longs, Is.EqualTo(sample.Longs));
            Assert.That(echo.Rows, Is.EqualTo(sample.Rows));
            Assert.That(echo.Series, Is.EqualTo(sample.Series));
            Assert.That(echo.ValuesSum, Is.EqualTo(sample.Values.Sum()));
            Assert.That(echo.Folder, Is.Not.Empty);
            Assert.That(Directory.Exists(echo.Folder), Is.False, "the call's folder is deleted");
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public void EveryMappedTypeMakesTheRoundTripThroughPython(bool numpy)
    {
        Use("py");
        if (numpy)
        {
            Interpreters.RequireNumpy();
        }
        else
        {
            // A numpy that cannot be imported, ahead of any installed one: the helper falls back to array.array.
            var shadow = Directory.CreateTempSubdirectory("flow-no-numpy-").FullName;
            Directory.CreateDirectory(Path.Combine(shadow, "numpy"));
            System.IO.File.WriteAllText(Path.Combine(shadow, "numpy", "__init__.py"), "raise ImportError('numpy is hidden by the test')\n");
            Environment.SetEnvironmentVariable("PYTHONPATH", shadow);
        }

        var sample = NewSample();
        var echo = Script.Run<Echo>(File("echo.py"), sample);
        AssertEchoed(echo, sample);
        var array = numpy ? "ndarray" : "array";
        Assert.That(echo.Kinds, Is.EqualTo(new Dictionary<string, string>
        {
            ["count"] = "int", ["big"] = "int", ["ratio"] = "float", ["single"] = "float", ["flag"] = "bool", ["text"] = "str",
            ["nothing"] = "NoneType", ["names"] = "list", ["counts"] = "dict", ["nested"] = "dict", ["items"] = "list",
            ["blob"] = "bytes", ["values"] = array, ["floats"] = array, ["ints"] = array, ["longs"] = array, ["rows"] = "list", ["series"] = array,
        }));
    }

    [Test]
    public void EveryMappedTypeMakesTheRoundTripThroughR()
    {
        Use("R");
        var sample = NewSample();
        var echo = Script.Run<Echo>(File("echo.R"), sample);
        AssertEchoed(echo, sample);
        Assert.That(echo.Kinds, Is.EqualTo(new Dictionary<string, string>
        {
            ["count"] = "integer", ["big"] = "numeric", ["ratio"] = "numeric", ["single"] = "numeric", ["flag"] = "logical", ["text"] = "character",
            ["nothing"] = "NULL", ["names"] = "character", ["counts"] = "list", ["nested"] = "list", ["items"] = "list",
            ["blob"] = "raw", ["values"] = "numeric", ["floats"] = "numeric", ["ints"] = "integer", ["longs"] = "numeric", ["rows"] = "list", ["series"] = "numeric",
        }));
    }

    [TestCase("py")]
    [TestCase("R")]
    public void ScalarsAndNullInputsAreOutputs(string language)
    {
        Use(language);
        Assert.That(Script.Run<int>(File("empty." + language)), Is.EqualTo(0), "no inputs: an empty object");
    }

    [Test]
    public void NumericArraysAreReadFromListsSingleNumbersAndOtherBinaryTypes()
    {
        Use("py");
        var forms = Script.Run<Sample>(File("arrays.py"), new { Mode = "forms" });
        Assert.Multiple(() =>
        {
            Assert.That(forms.Values, Is.EqualTo(new[] { 1.5, 2, -0.25 }));
            Assert.That(forms.Floats, Is.EqualTo(new[] { 2.5f }));
            Assert.That(forms.Ints, Is.EqualTo(new[] { 1, -2, int.MaxValue }), "int64 into int[]");
            Assert.That(forms.Longs, Is.EqualTo(new long[] { 7, -7 }), "int32 into long[]");
            Assert.That(forms.Series, Is.EqualTo(new[] { 0.5, double.NaN, double.NegativeInfinity }));
            Assert.That(forms.Blob, Is.EqualTo(new byte[] { 0, 1, 2, 255 }), "base64");
        });

        var e = Assert.Throws<ScriptException>(() => Script.Run<Sample>(File("arrays.py"), new { Mode = "fractions" }))!;
        Assert.That(e.Message, Does.Contain("cannot be read as Sample").And.Contain("2.5, is not a whole number").And.Contain(".astype('int32')"));
    }

    [Test]
    public void TheHelpersAreEmbeddedAndWrittenToAFolderOfTheProcessThatOnlyItsUserCanWrite()
    {
        var assembly = typeof(Script).Assembly;
        Assert.That(assembly.GetManifestResourceNames(), Is.SupersetOf(new[] { "Flow.Scripts.flow_script.py", "Flow.Scripts.flow_script.R" }));
        var folder = Script.Helpers.Folder;
        Assert.That(Path.GetFileName(folder), Does.StartWith("flow-script-lib-"));
        Assert.That(Path.GetFileName(folder), Is.Not.EqualTo("flow-script-lib-"), "a name another user cannot know in advance");
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(System.IO.File.GetUnixFileMode(folder) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite), Is.EqualTo(UnixFileMode.None));
        }

        foreach (var name in new[] { "flow_script.py", "flow_script.R" })
        {
            using var stream = assembly.GetManifestResourceStream("Flow.Scripts." + name)!;
            using var reader = new StreamReader(stream);
            Assert.That(System.IO.File.ReadAllText(Path.Combine(folder, name)), Is.EqualTo(reader.ReadToEnd()), name);
        }
    }

    [TestCase("py", "ValueError: bad shard 7")]
    [TestCase("R", "bad shard 7")]
    public void AnErrorInTheScriptFailsWithItsLastLines(string language, string expected)
    {
        Use(language);
        var e = Assert.Throws<ScriptException>(() => Script.Run<double>(File("fail." + language), new { Shard = "7" }))!;
        Assert.That(e.Message, Does.Contain(expected));
        Assert.That(e.Message, Does.Contain("failed with exit code 1"));
        Assert.That(e.ExitCode, Is.EqualTo(1));
        if (language == "py")
        {
            Assert.That(e.Message, Does.Contain("Traceback").And.Contains("in score"), "the traceback's last lines");
        }
        else
        {
            Assert.That(e.Message, Does.Contain("Execution halted"));
        }
    }

    [TestCase("py", "FLOW_PYTHON", "apt-get install -y python3")]
    [TestCase("R", "FLOW_RSCRIPT", "apt-get install -y r-base-core r-cran-jsonlite")]
    public void AMissingInterpreterSaysWhatToInstall(string language, string variable, string install)
    {
        Environment.SetEnvironmentVariable(variable, "/nonexistent/interpreter-9");
        var e = Assert.Throws<ScriptException>(() => Script.Run<int>(File("empty." + language)))!;
        Assert.That(e.Message, Does.Contain("'/nonexistent/interpreter-9' (from " + variable + ")").And.Contains(install));

        // Unset: the default command on PATH, named as such.
        Environment.SetEnvironmentVariable(variable, null);
        Environment.SetEnvironmentVariable("PATH", Directory.CreateTempSubdirectory("flow-empty-path-").FullName);
        e = Assert.Throws<ScriptException>(() => Script.Run<int>(File("empty." + language)))!;
        var command = language == "py" ? "python3" : "Rscript";
        Assert.That(e.Message, Does.Contain($"'{command}' ({variable} is not set, so {command} on PATH)").And.Contains(install));
    }

    [Test]
    public void AMissingScriptSaysWhichPathsWereTried()
    {
        var e = Assert.Throws<ScriptException>(() => Script.Run<int>("nowhere/score.py"))!;
        Assert.That(e.Message, Does.Contain(Path.GetFullPath("nowhere/score.py")));
        Assert.That(e.Message, Does.Contain(Path.Combine(AppContext.BaseDirectory, "nowhere", "score.py")));

        var absolute = Assert.Throws<ScriptException>(() => Script.Run<int>("/nonexistent/fit.R"))!;
        Assert.That(absolute.Message, Does.Contain("tried /nonexistent/fit.R."));

        var other = Assert.Throws<ScriptException>(() => Script.Run<int>("run.sh"))!;
        Assert.That(other.Message, Does.Contain("Python (.py) and R (.R)"));
    }

    [Test]
    public void ARelativeScriptIsFoundBesideTheProgram()
    {
        Use("py");
        var saved = Environment.CurrentDirectory;
        Environment.CurrentDirectory = Directory.CreateTempSubdirectory("flow-elsewhere-").FullName;
        try
        {
            Assert.That(Script.Run<int>(File("empty.py")), Is.EqualTo(0));
        }
        finally
        {
            Environment.CurrentDirectory = saved;
        }
    }

    [TestCase("py", "output(...) (from flow_script import output)")]
    [TestCase("R", "flow_output(...)")]
    public void AScriptWithoutOutputIsAClearError(string language, string hint)
    {
        Use(language);
        var e = Assert.Throws<ScriptException>(() => Script.Run<int>(File("nooutput." + language), new { X = 21 }))!;
        Assert.That(e.Message, Does.Contain("finished without an output").And.Contains(hint));

        // Run without a result type needs none.
        Assert.DoesNotThrow(() => Script.Run(File("nooutput." + language), new { X = 21 }));
    }

    [TestCase("py")]
    [TestCase("R")]
    public async Task CancellationKillsTheScriptAndDeletesItsFolder(string language)
    {
        Use(language);
        var marker = Path.Combine(Directory.CreateTempSubdirectory("flow-cancel-").FullName, "marker");
        using var cancel = new CancellationTokenSource();
        var running = Script.RunAsync<int>(File("sleep." + language), new { Marker = marker }, cancel.Token);
        var deadline = Stopwatch.StartNew();
        while (!System.IO.File.Exists(marker) && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        Assert.That(System.IO.File.Exists(marker), Is.True, "the script started");
        var lines = await System.IO.File.ReadAllLinesAsync(marker);
        var pid = int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture);
        var stopwatch = Stopwatch.StartNew();
        await cancel.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(async () => await running);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(Directory.Exists(lines[1]), Is.False, "the call's folder is deleted");
        Assert.That(Directory.Exists($"/proc/{pid}") && !System.IO.File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), Is.False, "the script is killed");
    }

    [TestCase("py", false)]
    [TestCase("py", true)]
    [TestCase("R", false)]
    public void FiftyMegabytesOfDoublesCrossEachWay(string language, bool numpy)
    {
        Use(language);
        if (numpy)
        {
            Interpreters.RequireNumpy();
        }
        else if (language == "py")
        {
            var shadow = Directory.CreateTempSubdirectory("flow-no-numpy-").FullName;
            Directory.CreateDirectory(Path.Combine(shadow, "numpy"));
            System.IO.File.WriteAllText(Path.Combine(shadow, "numpy", "__init__.py"), "raise ImportError('numpy is hidden by the test')\n");
            Environment.SetEnvironmentVariable("PYTHONPATH", shadow);
        }

        var values = new double[50 * 1024 * 1024 / sizeof(double)];
        var random = new Random(7);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextDouble() * 1000 - 500;
        }

        // Start-up alone (the interpreter and the helper), to tell it from the transfer.
        var startup = Stopwatch.StartNew();
        Script.Run<int>(File("empty." + language));
        startup.Stop();

        var stopwatch = Stopwatch.StartNew();
        var doubled = Script.Run<double[]>(File("double." + language), new { Values = values });
        stopwatch.Stop();
        Assert.That(doubled, Has.Length.EqualTo(values.Length));
        for (var i = 0; i < values.Length; i++)
        {
            if (doubled[i] != values[i] * 2)
            {
                Assert.Fail($"element {i}: {doubled[i]} is not 2 × {values[i]}");
            }
        }

        Report(language + (language == "py" ? numpy ? " (numpy)" : " (array, no numpy)" : ""), stopwatch, startup);
    }

    private static Matrices NewMatrices(string mode) => new()
    {
        Mode = mode,
        Doubles = new[,] { { 1.5, -2, 3.25 }, { 4, 0.125, double.NaN } },
        Floats = new[,] { { 1.5f, -2.25f, 8 }, { 0.5f, 16, -0.75f } },
        Ints = new[,] { { 1, -2, int.MaxValue }, { 4, 5, int.MinValue + 1 } },
        Longs = new[,] { { 1L << 40, -1, 3 }, { -(1L << 52), 5, 6 } },
    };

    private static void HideNumpy()
    {
        var shadow = Directory.CreateTempSubdirectory("flow-no-numpy-").FullName;
        Directory.CreateDirectory(Path.Combine(shadow, "numpy"));
        System.IO.File.WriteAllText(Path.Combine(shadow, "numpy", "__init__.py"), "raise ImportError('numpy is hidden by the test')\n");
        Environment.SetEnvironmentVariable("PYTHONPATH", shadow);
    }

    [TestCase("py", true)]
    [TestCase("py", false)]
    [TestCase("R", false)]
    public void RectangularArraysOfEachTypeMakeTheRoundTrip(string language, bool numpy)
    {
        Use(language);
        if (numpy)
        {
            Interpreters.RequireNumpy();
        }
        else if (language == "py")
        {
            HideNumpy();
        }

        var sent = NewMatrices("echo");
        var echo = Script.Run<Matrices>(File("matrices." + language), sent);
        Assert.Multiple(() =>
        {
            Assert.That(echo.Doubles, Is.EqualTo(sent.Doubles));
            Assert.That(echo.Floats, Is.EqualTo(sent.Floats));
            Assert.That(echo.Ints, Is.EqualTo(sent.Ints));
            Assert.That(echo.Longs, Is.EqualTo(sent.Longs));
            Assert.That(echo.Doubles.GetLength(0), Is.EqualTo(2), "rows stay rows");
            var kinds = language == "R"
                ? new[] { "matrix double 2 x 3", "matrix double 2 x 3", "matrix integer 2 x 3", "matrix double 2 x 3" }
                : numpy
                    ? new[] { "ndarray float64 [2, 3]", "ndarray float32 [2, 3]", "ndarray int32 [2, 3]", "ndarray int64 [2, 3]" }
                    : new[] { "list of 2 array", "list of 2 array", "list of 2 array", "list of 2 array" };
            Assert.That(echo.Kinds, Is.EqualTo(new Dictionary<string, string> { ["doubles"] = kinds[0], ["floats"] = kinds[1], ["ints"] = kinds[2], ["longs"] = kinds[3] }));
        });
    }

    [TestCase("py")]
    [TestCase("R")]
    public void EmptyAndOneByOneRectangularArraysKeepTheirShapes(string language)
    {
        Use(language);
        if (language == "py")
        {
            Interpreters.RequireNumpy();
        }

        var sent = new Matrices { Mode = "echo", Doubles = new double[0, 3], Floats = new float[2, 0], Ints = new int[0, 0], Longs = new long[,] { { 7 } } };
        var echo = Script.Run<Matrices>(File("matrices." + language), sent);
        Assert.Multiple(() =>
        {
            Assert.That((echo.Doubles.GetLength(0), echo.Doubles.GetLength(1)), Is.EqualTo((0, 3)));
            Assert.That((echo.Floats.GetLength(0), echo.Floats.GetLength(1)), Is.EqualTo((2, 0)));
            Assert.That((echo.Ints.GetLength(0), echo.Ints.GetLength(1)), Is.EqualTo((0, 0)));
            Assert.That(echo.Longs, Is.EqualTo(new long[,] { { 7 } }));
        });
    }

    [TestCase("py")]
    [TestCase("R")]
    public void AScriptSeesElementIJOfARectangularArrayInRowIColumnJ(string language)
    {
        Use(language);
        if (language == "py")
        {
            Interpreters.RequireNumpy();
        }

        var sent = NewMatrices("sums");
        sent.Doubles[1, 2] = 7;
        var sums = Script.Run<MatrixSums>(File("matrices." + language), sent);
        static double[] ColumnSums<T>(T[,] m, Func<T, double> value) =>
            [.. Enumerable.Range(0, m.GetLength(1)).Select(j => Enumerable.Range(0, m.GetLength(0)).Sum(i => value(m[i, j])))];
        Assert.Multiple(() =>
        {
            Assert.That(sums.ColumnSums["doubles"], Is.EqualTo(new[] { 5.5, -1.875, 10.25 }));
            Assert.That(sums.ColumnSums["floats"], Is.EqualTo(ColumnSums(sent.Floats, v => v)));
            Assert.That(sums.ColumnSums["ints"], Is.EqualTo(ColumnSums(sent.Ints, v => v)));
            Assert.That(sums.ColumnSums["longs"], Is.EqualTo(new[] { (double)((1L << 40) - (1L << 52)), 4, 9 }));
            foreach (var name in new[] { "doubles", "floats", "ints", "longs" })
            {
                Assert.That(sums.Shapes[name], Is.EqualTo(new[] { 2, 3 }), name);
            }
        });
    }

    [TestCase("py")]
    [TestCase("R")]
    public void AScriptsMatricesAreReadRowByRowAndConvertedAsArraysAre(string language)
    {
        Use(language);
        if (language == "py")
        {
            Interpreters.RequireNumpy();
        }

        var made = Script.Run<MadeMatrices>(File("matrices." + language), new { Mode = "make" });
        Assert.Multiple(() =>
        {
            Assert.That(made.Counting, Is.EqualTo(new double[,] { { 0, 1, 2 }, { 3, 4, 5 } }));
            Assert.That(made.Counting[0, 2], Is.EqualTo(2));
            Assert.That(made.Transposed, Is.EqualTo(new[,] { { 0, 2, 4 }, { 1, 3, 5 } }), "a transposed matrix, in the order it is seen in");
            Assert.That(made.Transposed.GetLength(0), Is.EqualTo(2));
            Assert.That(made.Narrowed, Is.EqualTo(new[,] { { 0.1f, 0.1f }, { 0.1f, 0.1f } }), "float64 into float[,]");
            Assert.That(made.Whole, Is.EqualTo(new long[,] { { 1, 2 }, { 3, 4 } }), language == "R" ? "whole doubles into long[,]" : "int64");
            Assert.That(made.Rows, Is.EqualTo(new List<double[]> { new double[] { 0, 1, 2 }, new double[] { 3, 4, 5 } }), "a matrix into a list of rows");
            Assert.That(made.Listed, Is.EqualTo(new[,] { { 1.5, 2.5 }, { 3.5, 4.5 } }), "a list of rows into double[,]");
        });

        // Rows of other types a matrix was read into as JSON rows: lists behind interfaces, and decimals.
        var listed = Script.Run<RowsAsInterfaces>(File("matrices." + language), new { Mode = "make" });
        Assert.That(listed.Rows.Select(r => r.ToArray()), Is.EqualTo(new[] { new double[] { 0, 1, 2 }, new double[] { 3, 4, 5 } }));
        var decimals = Script.Run<RowsAsDecimals>(File("matrices." + language), new { Mode = "make" });
        Assert.That(decimals.Rows, Is.EqualTo(new List<decimal[]> { new decimal[] { 0, 1, 2 }, new decimal[] { 3, 4, 5 } }));
    }

    [TestCase("cube", "a numpy array of 3 dimensions cannot be passed", "2-D arrays (rows x columns, for double[,]")]
    [TestCase("flat", "The script returned a 1-D array where Double[,] is expected", "an R matrix")]
    [TestCase("matrix-for-array", "an array of 2 dimensions (2 × 3) where Double[] is expected", "read it as Double[,]")]
    [TestCase("ragged", "Row 1 of the script's Double[,] has 1 values, row 0 has 2", "equal length")]
    [TestCase("flat-list", "Row 0 of the script's Double[,] is Number, not an array", "a list of rows")]
    [TestCase("short-file", "has 40 bytes; 6 values of float64 take 48", "out-1.bin")]
    [TestCase("wrong-shape", "shape [2, 2] but length 5", "product")]
    public void AnArrayThatDoesNotFitItsShapeOrTargetIsAClearError(string mode, string expected, string hint)
    {
        Use("py");
        Interpreters.RequireNumpy();
        var e = Assert.Throws<ScriptException>(() => Script.Run<MadeMatrices>(File("matrices.py"), new { Mode = mode }))!;
        Assert.That(e.Message, Does.Contain(expected).And.Contain(hint));
        if (mode != "cube")
        {
            Assert.That(e.Message, Does.Contain("cannot be read as MadeMatrices"));
        }
    }

    [Test]
    public void AnRVectorOfOneValueIsReadAsACollectionOfOne()
    {
        Use("R");
        var single = Script.Run<SingleValues>(File("matrices.R"), new { Mode = "single" });
        Assert.Multiple(() =>
        {
            Assert.That(single.Names, Is.EqualTo(new[] { "a" }));
            Assert.That(single.Tags, Is.EqualTo(new[] { "x" }));
            Assert.That(single.Scores, Is.EqualTo(new[] { 2.5 }));
            Assert.That(single.Items, Is.EqualTo(new[] { new Inner("one", 1) }), "a named list where a list of records is expected");
            Assert.That(single.None, Is.Empty);
        });

        // A value that is not an element of the collection is still refused, with both forms named.
        var mismatch = Assert.Throws<ScriptException>(() => Script.Run<SingleValues>(File("matrices.R"), new { Mode = "single-mismatch" }))!;
        Assert.That(mismatch.Message, Does.Contain("Expected an array for List<Inner>, or a single Inner (R's vector of one value), got String"));

        // From Python a single value where a collection is expected stays an error.
        Use("py");
        var e = Assert.Throws<ScriptException>(() => Script.Run<SingleValues>(File("matrices.py"), new { Mode = "single" }))!;
        Assert.That(e.Message, Does.Contain("cannot be read as SingleValues").And.Contain("Expected an array for List<String>, got String"));
    }

    private static void Report(string what, Stopwatch call, Stopwatch startup) =>
        TestContext.Progress.WriteLine($"Scripts benchmark: {what}: 50 MiB of doubles in and 50 MiB out, doubled by the script: {call.ElapsedMilliseconds} ms; an empty script: {startup.ElapsedMilliseconds} ms");
}
