using System.Globalization;
using Rewind.IntegrationTests.Emulator;
using Rewind.IntegrationTests.Playbook;
using Xunit;

namespace Rewind.IntegrationTests.Shapes;

/// <summary>
/// One moto server patched by <c>emulator/rewind_moto.py</c> with short lifecycle stages, for the deployment shapes
/// (ROLLING, BLUE_GREEN, LINEAR, CANARY, CODE_DEPLOY, EXTERNAL) that <see cref="ShapeWorld"/> seeds. Signatures are
/// not checked. Use with <c>[Collection("shape-emulator")]</c>.
/// </summary>
public sealed class ShapeEmulatorFixture : EmulatorFixture
{
    /// <summary>How long a rolling rollout takes to complete (or fail).</summary>
    public static readonly TimeSpan RolloutTime = TimeSpan.FromSeconds(0.5);

    /// <summary>How long each lifecycle stage of a BLUE_GREEN/LINEAR/CANARY deployment lasts.</summary>
    public static readonly TimeSpan StageTime = TimeSpan.FromSeconds(0.1);

    /// <summary>What the emulator counts as one "minute" of a bake time or a linear/canary step.</summary>
    public static readonly TimeSpan MinuteTime = TimeSpan.FromSeconds(0.1);

    protected override MotoServerOptions CreateOptions() => new()
    {
        PythonBootstrapModule = Path.Combine(RolloutEmulatorFixture.RepositoryRoot(), "emulator", "rewind_moto.py"),
        Environment = new Dictionary<string, string>
        {
            ["REWIND_MOTO_ROLLOUT_SECONDS"] = Seconds(RolloutTime),
            ["REWIND_MOTO_STAGE_SECONDS"] = Seconds(StageTime),
            ["REWIND_MOTO_MINUTE_SECONDS"] = Seconds(MinuteTime),
        },
    };

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString(CultureInfo.InvariantCulture);
}

[CollectionDefinition("shape-emulator")]
public sealed class ShapeEmulatorCollection : ICollectionFixture<ShapeEmulatorFixture>;
