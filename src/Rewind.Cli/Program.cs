using System.Runtime.InteropServices;

namespace Rewind.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // The pipeline's health checks call this often; answer without building the command tree.
        if (args is ["--version"])
        {
            Console.Out.WriteLine(RewindApp.Version);
            return ExitCodes.Ok;
        }

        // System.CommandLine turns Ctrl-C into cancellation; SIGTERM (a CI job cancelled, a pod stopped) does the same here.
        using var terminate = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            terminate.Cancel();
        });
        return await RewindApp.RunAsync(args, Console.Out, Console.Error, terminate.Token, terminal: ConsoleTerminal.Instance);
    }
}
