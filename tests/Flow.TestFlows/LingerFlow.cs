namespace Flow.TestFlows;

/// <summary>A step that leaves a foreground thread running: its worker must still end when the run does.</summary>
public partial class LingerFlow : FlowSpec
{
    public int WorkerPid { get; set; }

    [Step]
    public void Start()
    {
        new Thread(() => Thread.Sleep(TimeSpan.FromMinutes(2))) { IsBackground = false }.Start();
        WorkerPid = Environment.ProcessId;
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"worker {WorkerPid}");
}
