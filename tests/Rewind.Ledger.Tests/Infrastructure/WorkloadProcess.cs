using System.Diagnostics;
using System.Threading.Channels;

namespace Rewind.Ledger.Tests.Infrastructure;

/// <summary>A Rewind.Ledger.Workload process driven line by line over stdin/stdout, killed by its PID.</summary>
public sealed class WorkloadProcess : IWorker
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _errors = [];

    private WorkloadProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.Add(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join('\n', _errors);
            }
        }
    }

    public static WorkloadProcess Start(params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Rewind.Ledger.Workload.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("build tests/Rewind.Ledger.Workload first", dll);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new WorkloadProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the workload"));
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The next line the process printed; fails the test with its stderr if it exits or stays silent.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(deadline.Token);
        }
        catch (ChannelClosedException)
        {
            await _process.WaitForExitAsync(CancellationToken.None);
            throw new InvalidOperationException($"workload {Id} exited with {_process.ExitCode} before answering: {Errors}");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"workload {Id} said nothing within {timeout.TotalSeconds} s: {Errors}");
        }
    }

    public async Task ExpectAsync(string expected, TimeSpan timeout)
    {
        var line = await ReadLineAsync(timeout);
        Assert.True(line == expected, $"workload {Id} said '{line}', expected '{expected}'; stderr: {Errors}");
    }

    /// <summary>SIGKILL, as an operator's kill -9 or an OOM kill would.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }
}
