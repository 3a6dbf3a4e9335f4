using System.Runtime.InteropServices;

namespace Rewind.Core.Files;

/// <summary>
/// Who owns a file (for the private-folder check and the tests): .NET exposes a file's mode but not its owner. Hand-written over libc because no served library
/// does it without reflection: Linux's <c>statx</c> has one struct layout on every architecture, macOS's 64-bit-inode
/// <c>lstat</c> one of its own. Neither follows a link.
/// </summary>
public static partial class FileOwner
{
    private const int AtCurrentFolder = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxUid = 0x8;
    private const int StatxUidOffset = 20;
    private const int MacStatUidOffset = 16;
    private const int StatBufferSize = 512;

    /// <summary>The effective user id of this process.</summary>
    public static uint EffectiveUser() => GetEffectiveUserId();

    /// <summary>The user id owning <paramref name="path"/> itself (a link is not followed).</summary>
    public static uint OwnerOf(string path)
    {
        var buffer = new byte[StatBufferSize];
        int result;
        int offset;
        if (OperatingSystem.IsLinux())
        {
            result = Statx(AtCurrentFolder, path, AtSymlinkNoFollow, StatxUid, buffer);
            offset = StatxUidOffset;
        }
        else if (OperatingSystem.IsMacOS())
        {
            result = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? LstatInode64(path, buffer) : Lstat(path, buffer);
            offset = MacStatUidOffset;
        }
        else
        {
            throw new PlatformNotSupportedException("reading a file's owner is implemented for Linux and macOS");
        }
        if (result != 0)
            throw new IOException($"cannot read the owner of {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return BitConverter.ToUInt32(buffer, offset);
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Lstat(string path, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "lstat$INODE64", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LstatInode64(string path, [Out] byte[] buffer);
}
