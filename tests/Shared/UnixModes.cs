using System.Runtime.InteropServices;

namespace Rewind.Tests.Support;

/// <summary>
/// The process umask and file owners for the file-mode tests. The tests run as root, which ignores modes when it
/// opens files, so they check modes with File.GetUnixFileMode and owners with stat, never by trying to read.
/// </summary>
internal static class UnixModes
{
    /// <summary>Sets the process umask (octal, e.g. "022", which makes a plain create 0644) until disposed; restores the old one.</summary>
    public static IDisposable Umask(string octal) => new UmaskScope(SetUmask(Convert.ToUInt32(octal, 8)));

    /// <summary>chmod with an octal mode, e.g. "777".</summary>
    public static void Chmod(string path, string octal)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("file modes are a Unix test");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));
    }

    /// <summary>A mode as chmod writes it: "0600".</summary>
    public static string Mode(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("file modes are a Unix test");
        return "0" + Convert.ToString((int)File.GetUnixFileMode(path) & 0xFFF, 8).PadLeft(3, '0');
    }

    /// <summary>Gives <paramref name="path"/> to another user (the tests run as root, which may).</summary>
    public static void GiveTo(string path, uint user)
    {
        if (ChangeOwner(path, user, user) != 0)
            throw new IOException($"chown {user} {path} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint SetUmask(uint mask);

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int ChangeOwner([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    private sealed class UmaskScope(uint previous) : IDisposable
    {
        public void Dispose() => SetUmask(previous);
    }
}
