using System.Net.Sockets;
using System.Text;
using Flow.Datastore;

namespace Flow.Execution.Workers;

/// <summary>The worker side: reads task requests from the scheduler's socket, runs each, replies with its record.</summary>
internal static class WorkerLoop
{
    /// <summary>
    /// Serves the scheduler at <paramref name="socketPath"/>. The first line it sends is the datastore's root
    /// (the worker may start before the run has resolved it); each line after that is a task request.
    /// </summary>
    public static async Task<int> RunAsync(FlowDefinition definition, string socketPath, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };

        // The scheduler is still setting up its run: meanwhile, compile what the first task needs.
        new Thread(WarmUp.Run) { IsBackground = true, Name = "Flow worker warm-up" }.Start();
        if (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is not { } root)
        {
            return 0;
        }

        var executor = new TaskExecutor(definition, FlowDatastore.FromConfiguration(DatastoreConfig.Resolve(null, root)));
        TaskConsole.Install();
        using var watch = new SchedulerWatch(socket);
        long done = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var request = RecordJson.Deserialize<TaskRequest>(Encoding.UTF8.GetBytes(line), "a task request");
            watch.Busy = true;
            TaskRecord record;
            var started = DateTimeOffset.UtcNow;
            try
            {
                record = await executor.RunAsync(request, $"[{request.Step}/{request.TaskId}] ", cancellationToken).ConfigureAwait(false);
            }
            catch (TaskNotStoredException e)
            {
                // The datastore failed under the task (an S3 outage, a local folder gone): the scheduler learns what
                // failed from the reply, and the worker lives on.
                record = e.Record;
            }
            catch (Exception e) when (TaskExecutor.IsStoreFailure(e))
            {
                record = FailedRecords.Failed(definition.Graph.Name, request, e, started);
            }

            watch.Busy = false;
            TaskConsole.MarkEnd(WorkerProtocol.TaskEnd + (++done).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await writer.WriteLineAsync(RecordJson.SerializeToString(record).AsMemory(), cancellationToken).ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }
}
