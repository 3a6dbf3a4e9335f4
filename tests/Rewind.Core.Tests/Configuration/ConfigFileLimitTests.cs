using System.Diagnostics;
using System.Text;
using Rewind.Core.Configuration;
using Xunit;

namespace Rewind.Core.Tests.Configuration;

/// <summary>rewind.yaml and smoke check files: at most 1 MiB of valid UTF-8, refused with the byte offset otherwise.</summary>
public sealed class ConfigFileLimitTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-limits-");

    private string Write(byte[] bytes)
    {
        var path = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.yaml");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Given_a_rewind_yaml_of_1_MiB_and_1_byte_when_loaded_then_it_is_refused_with_the_offset_past_the_limit()
    {
        var path = Write(Encoding.UTF8.GetBytes("# " + new string('x', ConfigFileText.MaxBytes - 1)));

        var error = Assert.Throws<ConfigException>(() => RewindConfigLoader.Load(path, _ => null));

        Assert.Equal($"{path}: is larger than 1 MiB (byte 1048576 is past the limit): keep it under 1 MiB (is it the right file?)", error.Message);
    }

    [Fact]
    public void Given_a_rewind_yaml_of_exactly_1_MiB_when_loaded_then_it_is_read()
    {
        var text = "service:\n  name: api\n# ";
        var path = Write(Encoding.UTF8.GetBytes(text + new string('x', ConfigFileText.MaxBytes - text.Length)));

        Assert.Equal("api", RewindConfigLoader.Load(path, _ => null).Service.Name);
    }

    [Fact]
    public void Given_an_invalid_utf8_byte_in_rewind_yaml_when_loaded_then_it_is_refused_with_its_byte_offset()
    {
        var bytes = Encoding.UTF8.GetBytes("service:\n  name: caf\u00e9-api\n  cluster: x");
        var path = Write([.. bytes[..22], 0xFF, .. bytes[22..]]);

        var error = Assert.Throws<ConfigException>(() => RewindConfigLoader.Load(path, _ => null));

        Assert.Equal($"{path}: is not valid UTF-8 (byte offset 22): save it as UTF-8 text", error.Message);
    }

    [Fact]
    public void Given_a_byte_order_mark_when_loaded_then_it_is_not_an_error() =>
        Assert.Equal("api", RewindConfigLoader.Load(Write([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("service:\n  name: api\n")]), _ => null).Service.Name);

    [Fact]
    public void Given_dev_zero_as_the_configuration_when_loaded_then_at_most_1_MiB_and_1_byte_is_read_and_it_is_refused_quickly()
    {
        Assert.SkipUnless(File.Exists("/dev/zero"), "needs /dev/zero");
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<ConfigException>(() => RewindConfigLoader.Load("/dev/zero", _ => null));

        Assert.Contains("is larger than 1 MiB", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
    }

    [Fact]
    public void Given_a_smoke_check_file_over_1_MiB_when_loaded_then_it_is_refused_with_the_offset()
    {
        var path = Write(Encoding.UTF8.GetBytes("- {name: health, path: /health}\n#" + new string('x', ConfigFileText.MaxBytes)));

        var error = Assert.Throws<ConfigException>(() => SmokeCheckReader.Load(path));

        Assert.Contains("is larger than 1 MiB (byte 1048576 is past the limit)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_truncated_utf8_sequence_at_the_end_of_a_check_file_when_loaded_then_its_offset_is_named()
    {
        var bytes = Encoding.UTF8.GetBytes("- {name: health, path: /health}\n# ");
        var path = Write([.. bytes, 0xE2, 0x82]);

        var error = Assert.Throws<ConfigException>(() => SmokeCheckReader.Load(path));

        Assert.Contains($"is not valid UTF-8 (byte offset {bytes.Length})", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
