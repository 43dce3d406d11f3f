using System.CommandLine;

namespace Flow.Hosting;

/// <summary>
/// What the commands that host a web application (<c>serve</c>, <c>ui</c>) take beside their own options: ASP.NET Core
/// configuration, as <c>--Section:Key=value</c> or <c>--Section:Key value</c>, or one of the host's own top-level settings
/// (<c>--environment Production</c>). Anything else (a misspelt option, a stray word) is a mistake.
/// </summary>
internal static class HostArguments
{
    // The generic host's and the web host's top-level settings, which configuration takes without a section.
    private static readonly HashSet<string> HostSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "environment", "applicationName", "contentRoot", "webroot", "detailedErrors", "shutdownTimeoutSeconds",
        "hostingStartupAssemblies", "hostingStartupExcludeAssemblies", "preventHostingStartup", "http_ports", "https_ports", "allowedHosts",
    };

    /// <summary>
    /// The web application's builder for a command that hosts one: ASP.NET Core configuration from the arguments the
    /// command did not take, ASP.NET Core's own per-request log lines turned down to warnings (Flow logs its own). Null,
    /// with the error written, when an argument is neither the command's nor configuration.
    /// </summary>
    public static Microsoft.AspNetCore.Builder.WebApplicationBuilder? CreateBuilder(Command command, ParseResult parsed, TextWriter error)
    {
        var args = parsed.UnmatchedTokens.ToArray();
        if (Stray(args) is { } stray)
        {
            error.WriteLine(StrayError(command, stray));
            return null;
        }

        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(new Microsoft.AspNetCore.Builder.WebApplicationOptions { Args = args, ContentRootPath = Directory.GetCurrentDirectory() });
        Microsoft.Extensions.Logging.FilterLoggingBuilderExtensions.AddFilter(builder.Logging, "Microsoft.AspNetCore", Microsoft.Extensions.Logging.LogLevel.Warning);
        return builder;
    }

    /// <summary>The first of <paramref name="args"/> that is not ASP.NET Core configuration, or null.</summary>
    public static string? Stray(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var key = arg.Length > 2 && arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..].Split('=', 2)[0] : null;
            if (key is null || !(key.Contains(':', StringComparison.Ordinal) || HostSettings.Contains(key)))
            {
                return arg;
            }

            if (!arg.Contains('=', StringComparison.Ordinal))
            {
                i++;
            }
        }

        return null;
    }

    /// <summary>The error for <paramref name="stray"/>: an option <paramref name="command"/> does not have, or an argument it does not take.</summary>
    public static string StrayError(Command command, string stray) =>
        stray.StartsWith("--", StringComparison.Ordinal) && stray.Length > 2
            ? $"error: {command.Name} has no option '{stray}'; its options are {string.Join(", ", command.Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal)))}, and ASP.NET Core settings are given as --Section:Key=value."
            : $"error: {command.Name} takes no argument '{stray}'; ASP.NET Core settings are given as --Section:Key=value.";

    /// <summary>
    /// When the application listens on loopback only and its configuration names no allowed hosts, allows only the
    /// loopback names in the Host header: a web page elsewhere cannot then reach it through a DNS name it points at
    /// 127.0.0.1 (DNS rebinding) and read what it serves.
    /// </summary>
    public static void AllowLoopbackHostsOnly(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder, string urls)
    {
        if (!string.IsNullOrEmpty(builder.Configuration["AllowedHosts"]))
        {
            return;
        }

        var loopback = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .All(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost"));
        if (loopback)
        {
            builder.Configuration["AllowedHosts"] = "localhost;127.0.0.1;[::1]";
        }
    }

    /// <summary>Whether <paramref name="e"/> says that Kestrel cannot listen: the port is taken, the address is not this machine's, or it is not a URL.</summary>
    public static bool CannotListen(Exception e) => e is IOException or FormatException or ArgumentException;
}
