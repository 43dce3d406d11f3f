using System.Security.Cryptography;
using System.Text;
using Flow.Graph;

namespace Flow.Deploy;

/// <summary>
/// Branches and production tokens of deployments. A deployment belongs to a branch: <c>prod</c> (production),
/// <c>test.NAME</c> (a test branch beside it) or <c>user.NAME</c> (a user's own). Its runs carry
/// <c>production:TOKEN</c>, a namespace no user's run is in; the token is derived from the project (else the flow)
/// and the branch, so deploying the same branch again keeps it. A token separates namespaces; it is not a secret.
/// </summary>
public static class Deployments
{
    /// <summary>The production branch.</summary>
    public const string ProductionBranch = "prod";

    /// <summary>The branch a deployment belongs to: <c>prod</c>, <c>test.NAME</c>, or the user's own <c>user.NAME</c>.</summary>
    public static string Branch(string? testBranch, bool production, string user)
    {
        if (production && testBranch is not null)
        {
            throw new FlowException("Give --production or --branch NAME, not both: a deployment belongs to one branch.");
        }

        return production ? ProductionBranch
            : testBranch is not null ? CheckBranch("test." + testBranch)
            : CheckBranch("user." + string.Concat(user.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_')));
    }

    /// <summary>A branch name as a deployment writes it, checked: lowercase letters, digits, '_', '-' and '.', at most 60 characters.</summary>
    public static string CheckBranch(string branch)
    {
        ArgumentNullException.ThrowIfNull(branch);
        return branch.Length is > 0 and <= 60 && branch.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' or '.') && branch[0] != '.'
            ? branch
            : throw new FlowException($"'{branch}' is not a valid branch name: use lowercase letters, digits, '_' and '-' (at most 50 characters), as in --branch fix_titles.");
    }

    /// <summary>The production token of <paramref name="graph"/>'s deployments on <paramref name="branch"/>.</summary>
    public static string Token(FlowGraph graph, string branch)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{graph.Project ?? graph.Name}:{branch}"));
        return Convert.ToHexStringLower(hash)[..12];
    }
}
