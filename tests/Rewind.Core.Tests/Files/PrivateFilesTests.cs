using Rewind.Core;
using Rewind.Core.Files;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Core.Tests.Files;

/// <summary>
/// What Rewind writes only its user can read (0600 files, 0700 folders, whatever the umask) and no write follows a
/// symbolic link. Modes are read with File.GetUnixFileMode: the tests run as root, which ignores them for access.
/// </summary>
public sealed class PrivateFilesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rewind-private-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Given_umask_022_when_a_file_is_written_in_new_folders_then_the_file_is_0600_and_each_created_folder_0700()
    {
        var file = Path.Combine(_folder, "a", "b", "report.md");

        using (UnixModes.Umask("022"))
        {
            PrivateFiles.CreateFolder(Path.GetDirectoryName(file)!);
            await PrivateFiles.WriteAllTextAsync(file, "journal", Ct);
        }

        Assert.Equal("journal", await File.ReadAllTextAsync(file, Ct));
        Assert.Equal(("0600", "0700", "0700"), (UnixModes.Mode(file), UnixModes.Mode(Path.Combine(_folder, "a")), UnixModes.Mode(Path.Combine(_folder, "a", "b"))));
    }

    [Fact]
    public void Given_a_folder_the_user_made_when_a_folder_is_created_inside_then_the_users_folder_keeps_its_mode()
    {
        UnixModes.Chmod(_folder, "755");

        using (UnixModes.Umask("022"))
            PrivateFiles.CreateFolder(Path.Combine(_folder, "logs"));

        Assert.Equal(("0755", "0700"), (UnixModes.Mode(_folder), UnixModes.Mode(Path.Combine(_folder, "logs"))));
    }

    [Fact]
    public async Task Given_an_existing_world_readable_file_when_it_is_rewritten_then_it_is_0600_and_no_temporary_file_is_left()
    {
        var file = Path.Combine(_folder, "rewind.yaml");
        await File.WriteAllTextAsync(file, "old", Ct);
        UnixModes.Chmod(file, "644");

        await PrivateFiles.WriteAllTextAsync(file, "new", Ct);

        Assert.Equal(("new", "0600"), (await File.ReadAllTextAsync(file, Ct), UnixModes.Mode(file)));
        Assert.Equal([file], Directory.GetFiles(_folder));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Given_a_symlink_at_the_path_when_written_then_it_is_refused_naming_the_path_and_the_target_is_unchanged(bool targetExists)
    {
        var target = Path.Combine(_folder, "victim");
        if (targetExists)
            await File.WriteAllTextAsync(target, "precious", Ct);
        var link = Path.Combine(_folder, "INC-0002.md");
        File.CreateSymbolicLink(link, target);

        var refused = await Assert.ThrowsAsync<RewindException>(() => PrivateFiles.WriteAllTextAsync(link, "attack", Ct));

        Assert.Equal(FailureKind.BadInput, refused.Kind);
        Assert.Equal($"{link} is a symbolic link (to {target}); rewind never writes through a link", refused.Message);
        Assert.Equal("remove the link, or write to another path", refused.Hint);
        Assert.Equal(targetExists, File.Exists(target));
        if (targetExists)
            Assert.Equal("precious", await File.ReadAllTextAsync(target, Ct));
        Assert.Equal(target, new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void Given_a_dangling_symlink_when_a_new_file_is_created_there_then_it_is_refused_and_nothing_is_created()
    {
        var target = Path.Combine(_folder, "elsewhere.log");
        var link = Path.Combine(_folder, "smoke.log");
        File.CreateSymbolicLink(link, target);

        Assert.Throws<RewindException>(() => PrivateFiles.CreateNew(link).Dispose());

        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Given_umask_022_when_a_new_file_is_opened_then_it_is_0600()
    {
        var file = Path.Combine(_folder, "smoke.log");

        using (UnixModes.Umask("022"))
        using (var stream = PrivateFiles.CreateNew(file))
            stream.WriteByte(1);

        Assert.Equal("0600", UnixModes.Mode(file));
    }

    [Fact]
    public void Given_a_folder_made_0700_by_this_user_then_it_is_private()
    {
        var folder = Path.Combine(_folder, "plans");
        PrivateFiles.CreateFolder(folder);

        Assert.Null(PrivateFiles.PrivateFolderProblem(folder));
        Assert.Equal(FileOwner.EffectiveUser(), FileOwner.OwnerOf(folder));
    }

    [Fact]
    public void Given_a_world_writable_folder_then_it_is_not_private_and_the_problem_names_the_mode()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "plans")).FullName;
        UnixModes.Chmod(folder, "777");

        Assert.Equal($"{folder} is writable by others (mode 0777)", PrivateFiles.PrivateFolderProblem(folder));
    }

    [Fact]
    public void Given_a_group_writable_folder_then_it_is_not_private()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "plans")).FullName;
        UnixModes.Chmod(folder, "770");

        Assert.Equal($"{folder} is writable by its group (mode 0770)", PrivateFiles.PrivateFolderProblem(folder));
    }

    [Fact]
    public void Given_a_0700_folder_owned_by_another_user_then_it_is_not_private()
    {
        Assert.SkipWhen(FileOwner.EffectiveUser() != 0, "giving a folder to another user needs root");
        var folder = Path.Combine(_folder, "plans");
        PrivateFiles.CreateFolder(folder);
        UnixModes.GiveTo(folder, 4242);

        Assert.Equal($"{folder} is owned by uid 4242, not by you (uid 0)", PrivateFiles.PrivateFolderProblem(folder));
    }

    [Fact]
    public void Given_a_symlink_to_a_private_folder_then_it_is_not_private()
    {
        var real = Path.Combine(_folder, "real");
        PrivateFiles.CreateFolder(real);
        var link = Path.Combine(_folder, "plans");
        Directory.CreateSymbolicLink(link, real);

        Assert.Equal($"{link} is a symbolic link (to {real})", PrivateFiles.PrivateFolderProblem(link));
    }
}
