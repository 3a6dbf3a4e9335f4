namespace Rewind.IntegrationTests.Emulator;

/// <summary>How to start one <see cref="MotoServer"/>.</summary>
public sealed record MotoServerOptions
{
    /// <summary>
    /// Turn on moto's SigV4 signature and IAM policy checking. The server then creates an IAM user with an
    /// allow-all inline policy and an access key (see <see cref="MotoServer.AccessKeyId"/>); every later request
    /// must be signed with that key.
    /// </summary>
    public bool VerifySignatures { get; init; }

    /// <summary>Extra environment variables for the moto process, e.g. <c>MOTO_ECS_SERVICE_RUNNING</c>.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>
    /// Optional path to a Python file run (with <c>runpy.run_path</c>) inside the server process before moto's
    /// server starts, to patch moto's backends (e.g. realistic ECS rollouts).
    /// </summary>
    public string? PythonBootstrapModule { get; init; }

    /// <summary>How long to wait for the server to answer before giving up (generous: a loaded 2-core machine needs 10–40 s).</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
