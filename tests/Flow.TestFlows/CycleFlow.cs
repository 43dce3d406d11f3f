namespace Flow.TestFlows;

/// <summary>A step that sets an artifact whose value cannot be stored: a tree whose nodes point back at their parents, or a chain nested too deep.</summary>
public partial class CycleFlow : FlowSpec
{
    public TreeNode? Tree { get; set; }

    [Step]
    public void Start()
    {
        var root = new TreeNode { Name = "root" };
        if (Environment.GetEnvironmentVariable("FLOW_TEST_SHAPE") == "deep")
        {
            var node = root;
            for (var i = 0; i < 5000; i++)
            {
                node = Add(node, $"n{i}");
            }
        }
        else
        {
            var child = Add(root, "child");
            child.Parent = root;
        }

        Tree = root;
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"tree = {Tree?.Name}");

    private static TreeNode Add(TreeNode parent, string name)
    {
        var child = new TreeNode { Name = name };
        parent.Children.Add(child);
        return child;
    }
}

/// <summary>A tree node that may know its parent.</summary>
public sealed class TreeNode
{
    public string Name { get; set; } = "";

    public TreeNode? Parent { get; set; }

    public List<TreeNode> Children { get; set; } = [];
}
