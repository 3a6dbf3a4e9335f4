using System.Text;

namespace Rewind.Core.Files;

/// <summary>
/// How Rewind writes anything to disk: journals and reports hold ARNs, account ids, operator names and incident text,
/// so files are created 0600 and folders 0700 whatever the umask, and no write follows a symbolic link (a link at the
/// final path is refused; content goes to a new file in the same folder that is then renamed over the target).
/// </summary>
public static class PrivateFiles
{
    /// <summary>0600: read and write for the owner only.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0700: the owner only.</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Creates <paramref name="path"/> and its missing parents, each one 0700. Folders that exist (the user's project
    /// folder, a home folder) are left as they are.
    /// </summary>
    public static void CreateFolder(string path)
    {
        var full = Path.GetFullPath(path);
        var missing = new Stack<string>();
        for (var folder = full; folder is not null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
            missing.Push(folder);
        while (missing.TryPop(out var folder))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
                continue;
            }
            Directory.CreateDirectory(folder, FolderMode);
            // mkdir applies the umask; a umask that takes the owner's bits away must not leave a folder Rewind cannot use.
            File.SetUnixFileMode(folder, FolderMode);
        }
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="path"/> as a 0600 file; see <see cref="WriteAllBytesAsync"/>.</summary>
    public static Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken) =>
        WriteAllBytesAsync(path, Utf8.GetBytes(text), cancellationToken);

    /// <summary>
    /// Replaces <paramref name="path"/> atomically with a 0600 file holding <paramref name="bytes"/>: a reader sees the
    /// old file or the new one, never half of one. A symbolic link at <paramref name="path"/> is refused.
    /// </summary>
    public static async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        RefuseLink(full);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = CreateNewFile(temporary))
            {
                await stream.WriteAsync(bytes, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            // rename(2) replaces whatever is at the path, a link placed there since the check included, without following it.
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> as a new, empty 0600 file and opens it for writing; fails with an
    /// <see cref="IOException"/> when anything (a file, a link, even a dangling one) is already there.
    /// </summary>
    public static FileStream CreateNew(string path)
    {
        RefuseLink(path);
        return CreateNewFile(path);
    }

    /// <summary>
    /// Opens <paramref name="path"/> as a new, empty 0600 file for writing, removing the file that was there (a log
    /// written afresh on every start). A link at the path is refused, not removed.
    /// </summary>
    public static FileStream Replace(string path)
    {
        RefuseLink(path);
        File.Delete(path);
        return CreateNewFile(path);
    }

    /// <summary>Creates <paramref name="path"/> as an empty 0600 file unless something is there already (a link is refused).</summary>
    public static void EnsureFile(string path)
    {
        RefuseLink(path);
        if (File.Exists(path))
            return;
        try
        {
            CreateNewFile(path).Dispose();
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created by another process in the meantime: theirs is as good as ours.
        }
    }

    /// <summary>Throws a bad-input <see cref="RewindException"/> naming the path when it is a symbolic link (dangling or not).</summary>
    public static void RefuseLink(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            throw new RewindException(
                $"{path} is a symbolic link (to {target}); rewind never writes through a link",
                "remove the link, or write to another path", FailureKind.BadInput);
        }
    }

    /// <summary>
    /// Why <paramref name="folder"/> is not private to the user running Rewind (a link, owned by someone else, or
    /// writable by group or others), or null when it is. A folder that does not exist is not a problem.
    /// </summary>
    public static string? PrivateFolderProblem(string folder)
    {
        var info = new DirectoryInfo(folder);
        if (info.LinkTarget is { } target)
            return $"{folder} is a symbolic link (to {target})";
        if (!info.Exists)
            return File.Exists(folder) ? $"{folder} is a file, not a folder" : null;
        if (OperatingSystem.IsWindows())
            return null;
        var owner = FileOwner.OwnerOf(folder);
        var me = FileOwner.EffectiveUser();
        if (owner != me)
            return $"{folder} is owned by uid {owner}, not by you (uid {me})";
        var mode = info.UnixFileMode;
        const UnixFileMode othersWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        return (mode & othersWrite) != 0 ? $"{folder} is writable by {((mode & UnixFileMode.OtherWrite) != 0 ? "others" : "its group")} (mode {Octal(mode)})" : null;
    }

    /// <summary>A mode as <c>ls</c> and <c>chmod</c> write it: <c>0700</c>.</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8).PadLeft(3, '0');

    private static FileStream CreateNewFile(string path)
    {
        if (OperatingSystem.IsWindows())
            return new FileStream(path, System.IO.FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        // CreateNew is O_CREAT|O_EXCL: it never follows a link at the path, dangling or not.
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            UnixCreateMode = FileMode,
        });
        File.SetUnixFileMode(stream.SafeFileHandle, FileMode);
        return stream;
    }
}
