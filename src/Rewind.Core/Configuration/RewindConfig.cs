namespace Rewind.Core.Configuration;

/// <summary>Everything Rewind knows about one service, from <c>rewind.yaml</c>; immutable, compared by value.</summary>
/// <param name="Service">The ECS service to roll back.</param>
/// <param name="Aws">Profile, region and endpoint; unset values fall back to the AWS chain.</param>
/// <param name="Canary">The weighted listener or rule (Option 2); null when the service has no canary.</param>
/// <param name="Secrets">Secrets Manager secrets the release may have rotated.</param>
/// <param name="Cdn">The CloudFront distribution to invalidate; null when there is none.</param>
/// <param name="Infra">The Terraform code; null when infrastructure is not rolled back.</param>
/// <param name="Smoke">Smoke checks after the rollback; null when not configured.</param>
/// <param name="Verify">Error-rate verification; null when not configured.</param>
/// <param name="Incident">Postmortem owner and deadline.</param>
/// <param name="Freeze">Where the release freeze is published.</param>
/// <param name="Notify">Who is told, and how.</param>
/// <param name="Ledger">Where releases, runs and journals are kept.</param>
public sealed record RewindConfig(
    ServiceSection Service,
    AwsSection Aws,
    CanarySection? Canary,
    ValueList<SecretEntry> Secrets,
    CdnSection? Cdn,
    InfraSection? Infra,
    SmokeSection? Smoke,
    VerifySection? Verify,
    IncidentSection Incident,
    FreezeSection Freeze,
    NotifySection Notify,
    LedgerSection Ledger)
{
    /// <summary>The playbook's defaults: <c>claude-proxy</c> / <c>api-service</c> / <c>claude-proxy-api</c>, nothing optional configured.</summary>
    public static RewindConfig Default { get; } = new(
        ServiceSection.Default,
        AwsSection.Default,
        Canary: null,
        Secrets: ValueList<SecretEntry>.Empty,
        Cdn: null,
        Infra: null,
        Smoke: null,
        Verify: null,
        IncidentSection.Default,
        FreezeSection.Default,
        NotifySection.Default,
        LedgerSection.Default);

    /// <summary>The SSM parameter the freeze is published to, with <c>{service}</c> replaced by <c>service.name</c>.</summary>
    public string FreezeParameterName => Freeze.ParameterNameFor(Service.Name);
}
