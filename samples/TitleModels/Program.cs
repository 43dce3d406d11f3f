using Flow.Cli;

namespace TitleModelling;

/// <summary>
/// The program: Flow's command line for <see cref="TitleModels"/> (run, resume, show, ...), with one command of the
/// sample's own, <c>make-data</c>, that writes the synthetic dataset the flow trains on.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => FlowApp.Run<TitleModels>(args, new MakeDataCommand());
}
