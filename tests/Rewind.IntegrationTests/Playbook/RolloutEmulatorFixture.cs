using Rewind.IntegrationTests.Emulator;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// One moto server patched by <c>emulator/rewind_moto.py</c>: ECS rollouts that take a second and then complete, or
/// fail with a circuit-breaker rollback for a broken image, and a call counter at <c>/rewind-api/calls</c>.
/// Signatures are not checked (the clients' wire tests do that). Use with <c>[Collection("rollout-emulator")]</c>.
/// </summary>
public sealed class RolloutEmulatorFixture : EmulatorFixture
{
    /// <summary>How long the emulator takes to complete (or fail) a rollout.</summary>
    public static readonly TimeSpan RolloutTime = TimeSpan.FromSeconds(1);

    protected override MotoServerOptions CreateOptions() => new()
    {
        PythonBootstrapModule = Path.Combine(RepositoryRoot(), "emulator", "rewind_moto.py"),
        Environment = new Dictionary<string, string>
        {
            ["REWIND_MOTO_ROLLOUT_SECONDS"] = RolloutTime.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };

    /// <summary>The folder holding Rewind.slnx, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Rewind.slnx")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no Rewind.slnx above {AppContext.BaseDirectory}");
    }
}

[CollectionDefinition("rollout-emulator")]
public sealed class RolloutEmulatorCollection : ICollectionFixture<RolloutEmulatorFixture>;
