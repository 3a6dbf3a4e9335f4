using System.Threading.Channels;
using Rewind.Ledger.Workload;

namespace Rewind.Ledger.Tests.Infrastructure;

/// <summary>A workload command on its own task with its own ledger and client, for stores whose clients are costly to start per process.</summary>
public sealed class InProcessWorker : IWorker
{
    private readonly Channel<string> _input = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _output = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _errors = [];
    private readonly Task<int> _run;

    private InProcessWorker(string[] arguments)
    {
        _run = Task.Run(async () =>
        {
            try
            {
                return await WorkloadCommands.RunAsync(
                    arguments,
                    async ct => await _input.Reader.WaitToReadAsync(ct) && _input.Reader.TryRead(out var line) ? line : null,
                    line => _output.Writer.TryWrite(line),
                    line =>
                    {
                        lock (_errors)
                        {
                            _errors.Add(line);
                        }
                    },
                    _stop.Token);
            }
            finally
            {
                _output.Writer.TryComplete();
            }
        });
    }

    public static InProcessWorker Start(params string[] arguments) => new(arguments);

    public Task SendAsync(string line) => _input.Writer.WriteAsync(line).AsTask();

    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            return await _output.Reader.ReadAsync(deadline.Token);
        }
        catch (ChannelClosedException)
        {
            var code = await _run;
            throw new InvalidOperationException($"worker ended with {code} before answering: {string.Join('\n', _errors)}");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"worker said nothing within {timeout.TotalSeconds} s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _input.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
