using System.Text.RegularExpressions;
using Rewind.Core.Configuration;

namespace Rewind.Aws.Iam;

/// <summary>
/// The ARNs of one service's resources as rewind.yaml names them, for an IAM policy. The account and region come from
/// the caller, else from the configuration (its region, the account and region of any ARN it holds), else <c>*</c>.
/// </summary>
internal sealed partial class IamArns
{
    /// <summary>The name doctor's Secrets Manager probe describes.</summary>
    public const string DoctorSecret = "rewind-doctor-probe";

    /// <summary>The distribution id doctor's CloudFront probe reads.</summary>
    public const string DoctorDistribution = "REWINDDOCTORPROBE";

    private readonly RewindConfig _config;
    private readonly string _account;
    private readonly string _region;
    private readonly string _partition;

    public IamArns(RewindConfig config, string? account, string? region)
    {
        _config = config;
        var known = Known(config).Select(arn => ArnPattern().Match(arn)).Where(m => m.Success).ToList();
        _partition = known.Select(m => m.Groups["partition"].Value).FirstOrDefault() ?? "aws";
        _account = account ?? known.Select(m => m.Groups["account"].Value).FirstOrDefault(a => a.Length > 0) ?? "*";
        _region = region ?? config.Aws.Region ?? known.Select(m => m.Groups["region"].Value).FirstOrDefault(r => r.Length > 0) ?? "*";
    }

    /// <summary>The ARNs a kind of resource names for this service; empty when rewind.yaml configures none.</summary>
    public IReadOnlyList<string> Resources(IamResource kind) => kind switch
    {
        IamResource.Any => ["*"],
        IamResource.EcsService => [Arn("ecs", $"service/{Cluster}/{EcsService}")],
        IamResource.EcsServiceDeployments => [Arn("ecs", $"service-deployment/{Cluster}/{EcsService}/*")],
        IamResource.EcsServiceRevisions => [Arn("ecs", $"service-revision/{Cluster}/{EcsService}/*")],
        IamResource.CanaryListener => _config.Canary?.ListenerArn is { } listener ? [listener] : [],
        IamResource.CanaryRule => _config.Canary?.RuleArn is { } rule ? [rule] : [],
        IamResource.RotatedSecrets => [.. _config.Secrets.Select(s => Secret(s.Id)).Distinct(StringComparer.Ordinal)],
        IamResource.KnownSecrets => [.. _config.Secrets.Select(s => s.Id).Append(_config.Smoke?.ApiKeySecret).OfType<string>().Select(Secret).Distinct(StringComparer.Ordinal)],
        IamResource.ApiKeySecret => _config.Smoke?.ApiKeySecret is { } key ? [Secret(key)] : [],
        IamResource.Distribution => _config.Cdn is { } cdn ? [Distribution(cdn.DistributionId)] : [],
        IamResource.FreezeParameter => [Parameter(_config.FreezeParameterName)],
        IamResource.LedgerTable => _config.Ledger is { Backend: LedgerBackend.DynamoDb, Table: { } table } ? [Arn("dynamodb", $"table/{table}")] : [],
        IamResource.CodeDeployApplication => _config.Service.CodeDeployApplication is { } app ? [Arn("codedeploy", $"application:{app}")] : [],
        IamResource.CodeDeployGroup => _config.Service.CodeDeployApplication is { } app
            ? [Arn("codedeploy", $"deploymentgroup:{app}/{_config.Service.CodeDeployGroup ?? "*"}")]
            : [],
        IamResource.CodeDeployConfig => _config.Service.CodeDeployApplication is null ? [] : [Arn("codedeploy", "deploymentconfig:*")],
        IamResource.AssumedRole => _config.Aws.RoleArn is { } role ? [role] : [],
        IamResource.DoctorProbeSecret => [Secret(DoctorSecret)],
        IamResource.DoctorProbeDistribution => [Distribution(DoctorDistribution)],
        _ => [],
    };

    private string Cluster => LastSegment(_config.Service.Cluster);

    private string EcsService => LastSegment(_config.Service.EcsService);

    private string Arn(string service, string resource) => $"arn:{_partition}:{service}:{_region}:{_account}:{resource}";

    private string Distribution(string id) => $"arn:{_partition}:cloudfront::{_account}:distribution/{id}";

    /// <summary>A parameter named "/rewind/api/freeze" is <c>parameter/rewind/api/freeze</c>; one without the slash gets it.</summary>
    private string Parameter(string name) => Arn("ssm", name.StartsWith('/') ? $"parameter{name}" : $"parameter/{name}");

    /// <summary>
    /// A full secret ARN as written; a name or a partial ARN (no six-character suffix) with <c>-??????</c>, the suffix
    /// Secrets Manager appends to every secret's ARN.
    /// </summary>
    private string Secret(string id)
    {
        if (!id.StartsWith("arn:", StringComparison.Ordinal))
            return Arn("secretsmanager", $"secret:{id}-??????");
        return FullSecretArn().IsMatch(id) ? id : id + "-??????";
    }

    /// <summary>"my-cluster" from a name or from <c>arn:aws:ecs:…:cluster/my-cluster</c>.</summary>
    private static string LastSegment(string nameOrArn) => nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? nameOrArn[(nameOrArn.LastIndexOf('/') + 1)..] : nameOrArn;

    private static IEnumerable<string> Known(RewindConfig config) =>
        new[] { config.Service.EcsService, config.Service.Cluster, config.Canary?.ListenerArn, config.Canary?.RuleArn, config.Canary?.MainTargetGroup, config.Aws.RoleArn, config.Smoke?.ApiKeySecret }
            .Concat(config.Secrets.Select(s => s.Id))
            .OfType<string>();

    [GeneratedRegex("^arn:(?<partition>[a-z-]+):[a-z0-9-]+:(?<region>[a-z0-9-]*):(?<account>[0-9]*):")]
    private static partial Regex ArnPattern();

    [GeneratedRegex(@":secret:.+-[A-Za-z0-9]{6}$")]
    private static partial Regex FullSecretArn();
}
