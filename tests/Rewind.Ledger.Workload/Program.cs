using Rewind.Ledger.Workload;

// A separate process for the ledger's multi-process tests; the commands are in WorkloadCommands.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await WorkloadCommands.RunAsync(
    args,
    ct => Console.In.ReadLineAsync(ct).AsTask(),
    line => Console.Out.WriteLine(line),
    line => Console.Error.WriteLine(line),
    cancellation.Token);
