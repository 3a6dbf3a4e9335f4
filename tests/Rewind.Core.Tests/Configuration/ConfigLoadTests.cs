using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

public sealed class ConfigLoadTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rewind-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Given_a_file_when_loaded_then_it_parses_like_its_text()
    {
        var path = Path.Combine(_directory, "rewind.yaml");
        File.WriteAllText(path, FullExample);

        var config = RewindConfigLoader.Load(path, Environment());

        // The one difference: a file has a folder, and the default drafts_dir is anchored to it.
        var text = Parse(FullExample);
        Assert.Equal(text with { Incident = text.Incident with { DraftsDir = Path.Combine(_directory, "postmortems") } }, config);
    }

    [Fact]
    public void Given_a_bad_key_in_a_file_when_loaded_then_the_error_names_the_file_by_the_path_given()
    {
        var path = Path.Combine(_directory, "staging.yaml");
        File.WriteAllText(path, "aws:\n  regoin: eu-west-1\n");

        var error = Assert.Throws<ConfigException>(() => RewindConfigLoader.Load(path, Environment()));

        Assert.Equal($"{path}:2:3: unknown key 'regoin' in aws (did you mean 'region'?)", error.Message);
    }

    [Fact]
    public void Given_no_file_when_loaded_then_the_error_says_how_to_create_one()
    {
        var path = Path.Combine(_directory, "rewind.yaml");

        var error = Assert.Throws<ConfigException>(() => RewindConfigLoader.Load(path, Environment()));

        Assert.Equal($"{path} not found: run 'rewind init' to write one, or pass --config PATH", error.Message);
        Assert.Equal(path, error.SourceName);
    }

    [Fact]
    public void Given_a_directory_when_loaded_then_the_file_itself_is_asked_for()
    {
        var error = Assert.Throws<ConfigException>(() => RewindConfigLoader.Load(_directory, Environment()));

        Assert.Equal($"{_directory}: is a directory: pass the configuration file itself with --config PATH", error.Message);
    }
}
