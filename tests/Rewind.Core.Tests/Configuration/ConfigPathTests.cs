using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

/// <summary>
/// A relative path in rewind.yaml is relative to the file's folder, for every path-valued key; files are loaded by their
/// absolute path, so the working directory (shared by the parallel tests) plays no part.
/// </summary>
public sealed class ConfigPathTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rewind-paths-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Given_relative_paths_in_a_file_when_loaded_then_each_is_under_the_files_folder()
    {
        var paths = Load("platform", "docs/postmortems", "state/ledger.db");

        Assert.Equal((Path.Combine(_folder, "platform"), Path.Combine(_folder, "docs", "postmortems"), Path.Combine(_folder, "state", "ledger.db")), paths);
    }

    [Fact]
    public void Given_dot_and_dot_dot_paths_in_a_file_when_loaded_then_they_are_resolved_from_its_folder()
    {
        var parent = Path.GetDirectoryName(_folder)!;

        var paths = Load(".", "../shared/postmortems", "./ledger.db");

        Assert.Equal((_folder, Path.Combine(parent, "shared", "postmortems"), Path.Combine(_folder, "ledger.db")), paths);
    }

    [Fact]
    public void Given_absolute_paths_in_a_file_when_loaded_then_they_are_kept()
    {
        var paths = Load("/srv/platform", "/var/rewind/postmortems", "/var/lib/rewind/ledger.db");

        Assert.Equal(("/srv/platform", "/var/rewind/postmortems", "/var/lib/rewind/ledger.db"), paths);
    }

    [Fact]
    public void Given_home_paths_in_a_file_when_loaded_then_they_expand_to_HOME_not_the_files_folder()
    {
        var paths = Load("~/src/platform", "~/postmortems", "~/.local/state/rewind/ledger.db");

        Assert.Equal(($"{Home}/src/platform", $"{Home}/postmortems", $"{Home}/.local/state/rewind/ledger.db"), paths);
    }

    [Fact]
    public void Given_a_checks_file_in_a_subfolder_when_loaded_then_it_is_read_from_under_the_files_folder()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "smoke"));
        File.WriteAllText(Path.Combine(_folder, "smoke", "checks.yaml"), "- name: ready\n  path: /ready\n");

        var smoke = LoadFile("smoke:\n  url: http://alb\n  checks_file: smoke/checks.yaml\n", Environment()).Smoke!;

        Assert.Equal("/ready", Assert.Single(smoke.Checks).Path);
    }

    [Fact]
    public void Given_a_home_checks_file_when_loaded_then_it_is_read_from_HOME()
    {
        var home = Directory.CreateDirectory(Path.Combine(_folder, "home")).FullName;
        File.WriteAllText(Path.Combine(home, "checks.yaml"), "- name: home\n  path: /home\n");

        var smoke = LoadFile("smoke:\n  url: http://alb\n  checks_file: ~/checks.yaml\n", Environment(("HOME", home))).Smoke!;

        Assert.Equal("home", Assert.Single(smoke.Checks).Name);
    }

    [Fact]
    public void Given_a_file_without_path_keys_when_loaded_then_the_relative_defaults_are_under_the_files_folder()
    {
        var config = LoadFile("infra:\n  directory: infra/terraform\n", Environment());

        Assert.Equal((_folder, Path.Combine(_folder, "postmortems"), null), (config.Infra!.Repository, config.Incident.DraftsDir, config.Ledger.Path));
    }

    [Fact]
    public void Given_text_parsed_without_a_file_then_relative_paths_stay_relative_to_the_working_directory()
    {
        var config = Parse("infra:\n  repository: platform\nincident:\n  drafts_dir: docs/postmortems\nledger:\n  path: state/ledger.db\n");

        Assert.Equal(("platform", "docs/postmortems", "state/ledger.db"), (config.Infra!.Repository, config.Incident.DraftsDir, config.Ledger.Path));
    }

    [Fact]
    public void Given_the_file_init_writes_when_loaded_from_its_folder_then_its_drafts_dir_is_in_that_folder()
    {
        var config = LoadFile(RewindConfigWriter.Write(RewindConfig.Default), Environment());

        Assert.Equal(Path.Combine(_folder, PlaybookDefaults.DraftsDir), config.Incident.DraftsDir);
        Assert.Null(config.Infra);
        Assert.Null(config.Ledger.Path);
    }

    private (string Repository, string DraftsDir, string? Ledger) Load(string repository, string draftsDir, string ledger)
    {
        var config = LoadFile($"infra:\n  repository: {repository}\nincident:\n  drafts_dir: {draftsDir}\nledger:\n  path: {ledger}\n", Environment());
        return (config.Infra!.Repository, config.Incident.DraftsDir, config.Ledger.Path);
    }

    private RewindConfig LoadFile(string yaml, Func<string, string?> environment)
    {
        var path = Path.Combine(_folder, "rewind.yaml");
        File.WriteAllText(path, yaml);
        return RewindConfigLoader.Load(path, environment);
    }
}
