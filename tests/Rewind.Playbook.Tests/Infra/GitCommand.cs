using System.Diagnostics;
using Xunit;

namespace Rewind.Playbook.Tests.Infra;

/// <summary>Real git in a test's temporary folder (the Infra tests' repositories); a failing command fails the test.</summary>
internal static class GitCommand
{
    public static string Run(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)}: {error}");
        return output.Trim();
    }

    /// <summary>A repository with one commit of <paramref name="files"/> (path → text), author and signing set for the test.</summary>
    public static void InitWith(string folder, IReadOnlyDictionary<string, string> files)
    {
        foreach (var (file, text) in files)
        {
            var path = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        Run(folder, "init", "--quiet", "--initial-branch=main");
        Run(folder, "config", "user.email", "t@example.com");
        Run(folder, "config", "user.name", "t");
        Run(folder, "config", "commit.gpgsign", "false");
        Run(folder, "add", "-A");
        Run(folder, "commit", "--quiet", "-m", "one");
    }
}
