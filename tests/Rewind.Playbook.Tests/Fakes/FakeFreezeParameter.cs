using Rewind.Playbook.Freeze;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>
/// The SSM freeze parameter in memory: what is published, how often; <see cref="CrashBeforePublish"/> and
/// <see cref="CrashAfterPublish"/> kill the run around the write, <see cref="IgnoresWrites"/> never stores one.
/// </summary>
internal sealed class FakeFreezeParameter(string name = "/rewind/claude-proxy-api/freeze") : IFreezeParameter
{
    public string Name => name;

    public FreezeState? Published { get; set; }

    public int Publishes { get; private set; }

    public bool CrashBeforePublish { get; set; }

    public bool CrashAfterPublish { get; set; }

    public bool IgnoresWrites { get; set; }

    /// <summary>Thrown by every write (SSM refusing it, such as AccessDenied).</summary>
    public Exception? WriteFails { get; set; }

    public CancellationTokenSource Kill { get; } = new();

    public Task<FreezeState?> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(Published);

    public async Task<long> PublishAsync(FreezeState state, CancellationToken cancellationToken)
    {
        if (CrashBeforePublish)
            await CrashAsync(() => CrashBeforePublish = false);
        if (WriteFails is { } failure)
            throw failure;
        Publishes++;
        if (!IgnoresWrites)
            Published = state;
        if (CrashAfterPublish)
            await CrashAsync(() => CrashAfterPublish = false);
        return Publishes;
    }

    private async Task CrashAsync(Action disarm)
    {
        disarm();
        await Kill.CancelAsync();
        throw new OperationCanceledException(Kill.Token);
    }
}
