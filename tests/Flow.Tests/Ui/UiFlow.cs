namespace Flow.Tests.Ui;

/// <summary>A foreach flow for the UI's tests: FailAt makes one element's task fail.</summary>
public partial class UiFlow : FlowSpec
{
    [Parameter]
    public int Count { get; set; } = 3;

    [Parameter]
    public int FailAt { get; set; } = -1;

    public List<int> Items { get; set; } = [];

    public int X { get; set; }

    public int Out { get; set; }

    [Step]
    [Foreach(nameof(Items))]
    public void Start()
    {
        Items = Enumerable.Range(0, Count).ToList();
        Console.WriteLine("starting <b>bold</b>");
        Next(Work);
    }

    [Step]
    public void Work(int item)
    {
        Console.WriteLine($"working on {item}");
        if (item == FailAt)
        {
            throw new InvalidOperationException($"item {item} fails");
        }

        X = item * item;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<UiFlow> inputs)
    {
        Out = inputs.Sum(i => i.X);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"out = {Out}");
}

/// <summary>A foreach whose second element's task waits until the file <see cref="Gate"/> exists: a run the test can hold going.</summary>
public partial class UiWaitFlow : FlowSpec
{
    [Parameter]
    public string Gate { get; set; } = "";

    public List<int> Items { get; set; } = [];

    public int X { get; set; }

    public int Out { get; set; }

    [Step]
    [Foreach(nameof(Items))]
    public void Start()
    {
        Items = [0, 1];
        Next(Work);
    }

    [Step]
    public void Work(int item)
    {
        while (item == 1 && !File.Exists(Gate))
        {
            Thread.Sleep(50);
        }

        X = item + 1;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<UiWaitFlow> inputs)
    {
        Out = inputs.Sum(i => i.X);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"out = {Out}");
}
