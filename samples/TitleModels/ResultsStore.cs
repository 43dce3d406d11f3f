using System.Data.Common;
using System.IO;
using DuckDB.NET.Data;
using Npgsql;

namespace TitleModelling;

/// <summary>
/// Where a run's metrics go, as rows of the table <c>title_model_metrics</c>: an embedded DuckDB file (a path) or
/// PostgreSQL (an Npgsql connection string, told by its <c>=</c>: <c>Host=...;Username=...;Database=...</c>).
/// </summary>
public sealed record ResultsTarget(bool Postgres, string Location)
{
    /// <summary>The table the metrics are written to.</summary>
    public const string Table = "title_model_metrics";

    /// <summary>
    /// The target named by <c>--results-db</c>: a connection string when it holds <c>=</c>, else a DuckDB file (made
    /// absolute against the current folder, so that every task writes the same file). A connection string Npgsql
    /// cannot read, or a file in a folder that does not exist, is an <see cref="ArgumentException"/>.
    /// </summary>
    public static ResultsTarget Parse(string resultsDb)
    {
        if (string.IsNullOrWhiteSpace(resultsDb))
        {
            throw new ArgumentException("--results-db must be a DuckDB file or a PostgreSQL connection string (Host=...;Username=...;Database=...).");
        }

        if (resultsDb.Contains('=', StringComparison.Ordinal))
        {
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(resultsDb);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or KeyNotFoundException)
            {
                throw new ArgumentException($"--results-db is not a PostgreSQL connection string Npgsql can read ({e.Message}); write it as Host=HOST;Port=5432;Username=USER;Password=...;Database=DB.", e);
            }

            if (string.IsNullOrEmpty(builder.Host))
            {
                throw new ArgumentException("--results-db: the PostgreSQL connection string names no Host.");
            }

            return new ResultsTarget(true, resultsDb);
        }

        var path = Path.GetFullPath(resultsDb);
        var folder = Path.GetDirectoryName(path);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new ArgumentException($"--results-db: the folder of the DuckDB file {path} does not exist.");
        }

        return new ResultsTarget(false, path);
    }

    /// <summary>What to print: the file, or the connection string's host, port and database (never its password).</summary>
    public string Describe()
    {
        if (!Postgres)
        {
            return $"DuckDB {Location}";
        }

        var builder = new NpgsqlConnectionStringBuilder(Location);
        return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
    }

    /// <summary>Opens a connection, as a check that the database answers; a failure is an <see cref="InvalidOperationException"/> that says where.</summary>
    public void Check()
    {
        using var connection = Open();
    }

    /// <summary>
    /// Writes a run's metrics in one transaction: creates the table if needed, deletes the rows of the run if it was
    /// written before (a resumed join writes again), inserts a row per partition.
    /// </summary>
    public void Write(string flow, string runId, IReadOnlyList<PartitionMetrics> metrics, DateTime trainedAt)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"""
            CREATE TABLE IF NOT EXISTS {Table} (
                flow TEXT NOT NULL, run_id TEXT NOT NULL, region TEXT NOT NULL,
                rows INTEGER NOT NULL, train_rows INTEGER NOT NULL, test_rows INTEGER NOT NULL,
                rmse DOUBLE PRECISION NOT NULL, r_squared DOUBLE PRECISION NOT NULL, mae DOUBLE PRECISION NOT NULL,
                seconds DOUBLE PRECISION NOT NULL, trained_at TIMESTAMP NOT NULL,
                PRIMARY KEY (flow, run_id, region))
            """);
        Execute(connection, transaction, $"DELETE FROM {Table} WHERE flow = $1 AND run_id = $2", flow, runId);
        foreach (var m in metrics)
        {
            Execute(connection, transaction, $"INSERT INTO {Table} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                flow, runId, m.Region, m.Rows, m.TrainRows, m.TestRows, m.Rmse, m.RSquared, m.Mae, m.Seconds, trainedAt);
        }

        transaction.Commit();
    }

    /// <summary>The metrics of one run, read back from the table, ordered by region.</summary>
    public List<PartitionMetrics> Read(string flow, string runId)
    {
        using var connection = Open();
        using var command = Command(connection, null, $"SELECT region, rows, train_rows, test_rows, rmse, r_squared, mae, seconds FROM {Table} WHERE flow = $1 AND run_id = $2 ORDER BY region", flow, runId);
        using var reader = command.ExecuteReader();
        var result = new List<PartitionMetrics>();
        while (reader.Read())
        {
            result.Add(new PartitionMetrics(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetDouble(4), reader.GetDouble(5), reader.GetDouble(6), reader.GetDouble(7)));
        }

        return result;
    }

    private DbConnection Open()
    {
        DbConnection connection = Postgres ? new NpgsqlConnection(Location) : new DuckDBConnection($"Data Source={Location}");
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
        {
            connection.Dispose();
            throw new InvalidOperationException($"Cannot open the results database ({Describe()}): {e.Message}", e);
        }
    }

    private static void Execute(DbConnection connection, DbTransaction? transaction, string sql, params object[] values)
    {
        using var command = Command(connection, transaction, sql, values);
        command.ExecuteNonQuery();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params object[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var value in values)
        {
            var parameter = command.CreateParameter();
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
