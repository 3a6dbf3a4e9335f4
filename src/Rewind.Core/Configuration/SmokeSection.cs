namespace Rewind.Core.Configuration;

/// <summary>Smoke tests after the rollback (<c>smoke:</c>), as the playbook's <c>smoke_test.sh</c>.</summary>
/// <param name="Url">Base URL of the service (the load balancer's DNS name).</param>
/// <param name="ApiKeyEnv">Environment variable holding the API key; not with <paramref name="ApiKeySecret"/>.</param>
/// <param name="ApiKeySecret">Secrets Manager secret holding the API key; not with <paramref name="ApiKeyEnv"/>.</param>
/// <param name="Retries">Retries per check after the first attempt.</param>
/// <param name="Timeout">Timeout of one request.</param>
public sealed record SmokeSection(string Url, string? ApiKeyEnv, string? ApiKeySecret, int Retries, TimeSpan Timeout)
{
    /// <summary>The checks to run: <c>smoke.checks</c>, the check file's, else the playbook's two (<see cref="SmokeCheck.Defaults"/>).</summary>
    public ValueList<SmokeCheck> Checks { get; init; } = SmokeCheck.Defaults;

    /// <summary>The check file the checks were read from (<c>smoke.checks_file</c>), as written; null when none.</summary>
    public string? ChecksFile { get; init; }

    /// <summary>The wait before the first retry of a check, doubled for each further retry.</summary>
    public TimeSpan Backoff { get; init; } = PlaybookDefaults.SmokeBackoff;
}
