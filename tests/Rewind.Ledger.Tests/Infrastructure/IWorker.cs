namespace Rewind.Ledger.Tests.Infrastructure;

/// <summary>One concurrent ledger user running a workload command, driven line by line.</summary>
public interface IWorker : IAsyncDisposable
{
    Task SendAsync(string line);

    Task<string> ReadLineAsync(TimeSpan timeout);

    async Task ExpectAsync(string expected, TimeSpan timeout)
    {
        var line = await ReadLineAsync(timeout);
        Assert.True(line == expected, $"worker said '{line}', expected '{expected}'");
    }
}
