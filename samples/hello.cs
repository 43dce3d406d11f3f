#:package Flow@0.1.0

// A flow in a single file, run as a .NET 10 file-based app (no project file):
//
//     dotnet run samples/hello.cs -- run        (prints "hello from Flow")
//     dotnet run samples/hello.cs -- show       (prints the graph)
//
// The #:package line above takes the Flow package from your NuGet feeds. Until this version is
// published, pack it into a local folder and add that folder as a source for this one run:
//
//     dotnet pack src/Flow -o ~/flow-feed
//     dotnet run samples/hello.cs -p:RestoreAdditionalProjectSources=$HOME/flow-feed -- run
//
// or copy this file to a folder of its own, next to a nuget.config that lists ~/flow-feed.
// NuGet keeps the first Flow 0.1.0 it restores: after packing again, delete ~/.nuget/packages/flow/0.1.0,
// or pack with -p:PackageVersion=0.1.0-dev.2 and put that version on the #:package line.

using Flow;

public partial class HelloFlow : FlowSpec
{
    public string Greeting { get; set; } = "";

    [Step]
    public void Start()
    {
        Greeting = "hello";
        Next(Hello);
    }

    [Step]
    public void Hello()
    {
        Greeting += " from Flow";
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine(Greeting);
}
