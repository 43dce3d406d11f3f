namespace Flow.TestFlows;

/// <summary>A last step with a lot of output, on both streams, ending in a line left open: all of it must reach the console before the run ends.</summary>
public partial class EchoFlow : FlowSpec
{
    public const int Lines = 20000;

    [Step]
    public void Start() => Next(End);

    [Step]
    public void End()
    {
        for (var i = 0; i < Lines; i++)
        {
            Console.WriteLine($"line {i}");
            if (i % 100 == 0)
            {
                Console.Error.WriteLine($"warning {i}");
            }
        }

        Console.Write("left open");
    }
}
