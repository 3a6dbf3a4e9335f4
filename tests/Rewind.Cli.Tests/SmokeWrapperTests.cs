using System.Diagnostics;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary>infra/scripts/smoke_test.sh passes the playbook's flags through to 'rewind smoke' and returns its exit code.</summary>
public sealed class SmokeWrapperTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-wrapper-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task The_wrapper_calls_rewind_smoke_with_the_scripts_flags_and_keeps_its_exit_code()
    {
        var fake = Path.Combine(_folder.FullName, "rewind");
        var seen = Path.Combine(_folder.FullName, "args");
        await File.WriteAllTextAsync(fake, $"#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '{seen}'\nexit 4\n", TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { Path.Combine(ExitCodeTests.RepositoryRoot(), "infra", "scripts", "smoke_test.sh"), "--url", "http://127.0.0.1:9", "--retries", "5", "--timeout", "2" })
            start.ArgumentList.Add(arg);
        start.Environment["REWIND"] = fake;

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(4, process.ExitCode);
        Assert.Equal(["smoke", "--url", "http://127.0.0.1:9", "--retries", "5", "--timeout", "2"], await File.ReadAllLinesAsync(seen, TestContext.Current.CancellationToken));
    }
}
