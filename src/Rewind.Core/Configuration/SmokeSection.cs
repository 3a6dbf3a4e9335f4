namespace Rewind.Core.Configuration;

/// <summary>Smoke tests after the rollback (<c>smoke:</c>), as the playbook's <c>smoke_test.sh</c>.</summary>
/// <param name="Url">Base URL of the service (the load balancer's DNS name).</param>
/// <param name="ApiKeyEnv">Environment variable holding the API key; not with <paramref name="ApiKeySecret"/>.</param>
/// <param name="ApiKeySecret">Secrets Manager secret holding the API key; not with <paramref name="ApiKeyEnv"/>.</param>
/// <param name="Retries">Retries per check after the first attempt.</param>
/// <param name="Timeout">Timeout of one request.</param>
public sealed record SmokeSection(string Url, string? ApiKeyEnv, string? ApiKeySecret, int Retries, TimeSpan Timeout);
