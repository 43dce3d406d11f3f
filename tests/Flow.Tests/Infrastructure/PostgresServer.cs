using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace Flow.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL 15 server of a test's own: Debian's server (<c>/usr/lib/postgresql/15/bin</c>, package
/// <c>postgresql</c>), a cluster made by <c>initdb</c> in a temporary folder, listening on a free loopback port only
/// (its socket in that folder too), trusting local connections, and stopped and deleted on <see cref="Dispose"/>.
/// Run as root, the server runs as the <c>postgres</c> user (it refuses root). Without the server, a test fails under
/// <c>CI=true</c> and is ignored elsewhere, saying what to install.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    /// <summary>Where Debian installs PostgreSQL 15's server programs.</summary>
    public const string BinFolder = "/usr/lib/postgresql/15/bin";

    private const string Install = "apt-get install -y postgresql";

    private readonly string _folder;
    private readonly bool _asPostgres;
    private bool _started;

    private PostgresServer(string folder, int port, bool asPostgres)
    {
        _folder = folder;
        Port = port;
        _asPostgres = asPostgres;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>An Npgsql connection string for the superuser <c>postgres</c> and its database <c>postgres</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres");

    /// <summary>The data folder's server log, for messages.</summary>
    public string Log => File.Exists(Path.Combine(_folder, "pg.log")) ? File.ReadAllText(Path.Combine(_folder, "pg.log")) : "";

    /// <summary>Starts a fresh server, or fails the test (CI) / ignores it (elsewhere) when PostgreSQL 15's server is not installed.</summary>
    public static PostgresServer Start()
    {
        if (!File.Exists(Path.Combine(BinFolder, "initdb")) || !File.Exists(Path.Combine(BinFolder, "pg_ctl")))
        {
            Ci.Missing($"The PostgreSQL tests need PostgreSQL 15's server ({BinFolder}/initdb and pg_ctl are missing): {Install}.");
        }

        var asPostgres = Environment.UserName == "root";
        if (asPostgres && !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser"))
        {
            Ci.Missing($"The PostgreSQL tests run the server as the postgres user with runuser, which is missing (util-linux); or run them as another user than root. {Install}.");
        }

        var folder = Directory.CreateTempSubdirectory("flow-postgres-").FullName;
        var server = new PostgresServer(folder, FreePort(), asPostgres);
        try
        {
            server.Launch();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void Launch()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "sock"));
        if (_asPostgres)
        {
            Expect(TestProcess.Start("chown", ["-R", "postgres:postgres", _folder], _folder), "chown the cluster's folder to postgres");
        }

        Expect(Server("initdb", "-D", Path.Combine(_folder, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"), "initdb");
        var options = string.Create(CultureInfo.InvariantCulture, $"-c listen_addresses=127.0.0.1 -p {Port} -c unix_socket_directories={Path.Combine(_folder, "sock")} -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        _started = true;
        Expect(Server("pg_ctl", "-D", Path.Combine(_folder, "data"), "-l", Path.Combine(_folder, "pg.log"), "-w", "-t", "60", "-o", options, "start"), "pg_ctl start");
    }

    /// <summary>Stops the server (fast shutdown) and deletes its cluster.</summary>
    public void Dispose()
    {
        if (_started)
        {
            _started = false;
            using var stop = Server("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "fast", "-w", "-t", "60", "stop");
            stop.WaitForExit(TimeSpan.FromMinutes(2));
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private TestProcess Server(string program, params string[] args)
    {
        var path = Path.Combine(BinFolder, program);
        return _asPostgres
            ? TestProcess.Start("runuser", ["-u", "postgres", "--", path, .. args], _folder)
            : TestProcess.Start(path, args, _folder);
    }

    private void Expect(TestProcess process, string what)
    {
        using (process)
        {
            var result = process.WaitForExit(TimeSpan.FromMinutes(2));
            if (result.Code != 0)
            {
                Assert.Fail($"PostgreSQL's {what} failed:\n{result}\n{Log}");
            }
        }
    }
}
