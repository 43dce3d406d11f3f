using System.Diagnostics;
using System.Globalization;
using Flow.Datastore;
using Flow.Serialization;

// Times, one by one, the operations a task performs on the local datastore, so the figures of
// bench/run.sh can be split into phases. Usage: Profile [DIRECTORY] (default: the temp directory).
var root = Path.Combine(args.Length > 0 ? args[0] : Path.GetTempPath(), $"flow-profile-{Guid.NewGuid():N}");
Directory.CreateDirectory(root);
var datastore = FlowDatastore.Local(root);
Console.WriteLine($"Datastore in {root}; each figure is the median of its repetitions (wall, and CPU of this process).");
Console.WriteLine();
Console.WriteLine("| operation | wall | CPU | allocated |");
Console.WriteLine("|---|---|---|---|");
try
{
    Time("first SHA-256 of 8 bytes (cold: loads the crypto library)", 1, _ => ArtifactValue.ComputeHash(new byte[8]));
    Time("first MessagePack serialize + SHA-256 of a long (cold: resolver set-up and JIT)", 1, _ => FlowSerializer.Serialize(42L));
    Time("MessagePack serialize + SHA-256 of a long (warm)", 2000, i => FlowSerializer.Serialize((long)i));
    var small = FlowSerializer.Serialize(7L);
    Time("MessagePack deserialize of a long (warm)", 2000, _ => FlowSerializer.Deserialize<long>(small, "a long"));

    var blobs = new LocalBlobStore(root);
    var values = Enumerable.Range(0, 1000).Select(i => FlowSerializer.Serialize((long)i + 1_000_000)).ToArray();
    Time("blob put, 10 bytes (exists check, temp file, write, rename)", 1000, i => blobs.PutAsync(values[i].Hash, values[i].Data).GetAwaiter().GetResult());
    Time("blob get, 10 bytes (read; no hash check)", 1000, i => blobs.GetAsync(values[i].Hash).GetAwaiter().GetResult());

    var metadata = new LocalMetadataStore(root);
    Time("task record put, ~0.6 KB JSON (serialize, temp file, write, rename)", 1000, i => metadata.PutTaskAsync(Record(i, 0)).GetAwaiter().GetResult());
    Time("task record get, ~0.6 KB JSON (read, parse)", 1000, i => metadata.GetTaskAsync("ProfileFlow", "1-abcd", "Work", i).GetAwaiter().GetResult());
    foreach (var elements in new[] { 1_000, 10_000 })
    {
        var parent = Record(100_000 + elements, elements);
        metadata.PutTaskAsync(parent).GetAwaiter().GetResult();
        var size = new FileInfo(Directory.EnumerateFiles(root, $"Work.{100_000 + elements}.json", SearchOption.AllDirectories).Single()).Length;
        Time($"foreach parent record get, {elements:N0} element keys ({size / 1024} KB JSON; each worker reads it once per foreach)", 200,
            _ => metadata.GetTaskAsync("ProfileFlow", "1-abcd", "Work", 100_000 + elements).GetAwaiter().GetResult());
    }

    var medium = new byte[10 << 20];
    Random.Shared.NextBytes(medium);
    Time("10 MiB random byte[]: serialize (plain, then LZ4 tried: up to 64 MiB) + SHA-256", 3, _ => FlowSerializer.Serialize(medium));

    var payload = new byte[100 << 20];
    Random.Shared.NextBytes(payload);
    ArtifactValue? big = null;
    Time("100 MiB byte[]: MessagePack serialize + SHA-256", 3, _ => big = FlowSerializer.Serialize(payload));
    Time("100 MiB: SHA-256 only", 3, _ => ArtifactValue.ComputeHash(big!.Data.Span));
    Time("100 MiB: blob put (write to temp file, rename)", 1, _ => blobs.PutAsync(big!.Hash, big.Data).GetAwaiter().GetResult());
    Time("100 MiB: blob get (read whole file)", 3, _ => blobs.GetAsync(big!.Hash).GetAwaiter().GetResult());
    Time("100 MiB: datastore get (read + SHA-256 check)", 3, _ => new FlowDatastore(blobs, metadata, root).GetAsync(big!.Hash, "the payload").GetAwaiter().GetResult());
    Time("100 MiB: MessagePack deserialize to byte[]", 3, _ => FlowSerializer.Deserialize<byte[]>(big!, "the payload"));
}
finally
{
    Directory.Delete(root, recursive: true);
}

static TaskRecord Record(long taskId, int elements) => new()
{
    Flow = "ProfileFlow",
    RunId = "1-abcd",
    Step = "Work",
    TaskId = taskId,
    Position = $"Work/{taskId}",
    Status = RunStatus.Succeeded,
    Inputs = ["1-abcd/Start/1"],
    Artifacts = new Dictionary<string, ArtifactRef>
    {
        ["Count"] = new(new string('a', 64), "int", 3),
        ["Square"] = new(new string('b', 64), "long", 9),
    },
    Next = ["Join"],
    ForeachElements = elements == 0 ? null : Enumerable.Range(0, elements).Select(i => new ArtifactRef(ArtifactValue.ComputeHash(BitConverter.GetBytes(i)), "int", 5)).ToList(),
    StartedAt = DateTimeOffset.UtcNow,
    FinishedAt = DateTimeOffset.UtcNow,
};

static void Time(string what, int repetitions, Action<int> operation)
{
    var walls = new double[repetitions];
    var allocated = new long[repetitions];
    var process = Process.GetCurrentProcess();
    var cpu = process.TotalProcessorTime;
    for (var i = 0; i < repetitions; i++)
    {
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        operation(i);
        walls[i] = clock.Elapsed.TotalMilliseconds;
        allocated[i] = GC.GetTotalAllocatedBytes(precise: true) - bytes;
    }

    // CPU time has the kernel's tick resolution, so it is taken over all repetitions and divided.
    process.Refresh();
    var cpuPerOperation = (process.TotalProcessorTime - cpu).TotalMilliseconds / repetitions;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {what} | {Median(walls):0.000} ms | {cpuPerOperation:0.000} ms | {Median(allocated.Select(a => (double)a).ToArray()) / 1024:0.0} KB |"));
}

static double Median(double[] values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
