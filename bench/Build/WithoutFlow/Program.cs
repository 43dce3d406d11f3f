namespace Bench.Build;

/// <summary>Stands in for the Main the generator writes.</summary>
public static class Program
{
    public static int Main() => typeof(BranchFlow).Name.Length + typeof(ForeachFlow).Name.Length + typeof(TrainFlow).Name.Length > 0 ? 0 : 1;
}
