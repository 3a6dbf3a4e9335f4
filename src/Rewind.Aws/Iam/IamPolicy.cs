using Rewind.Core.Configuration;

namespace Rewind.Aws.Iam;

/// <summary>One statement of an IAM policy: always <c>"Effect": "Allow"</c>.</summary>
/// <param name="Sid">Names what the statement grants and on what (alphanumeric, as IAM requires).</param>
/// <param name="Actions">The actions, in the catalogue's order.</param>
/// <param name="Resources">The ARNs, or <c>*</c>.</param>
public sealed record IamStatement(string Sid, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources);

/// <summary>An IAM policy document (<c>"Version": "2012-10-17"</c>).</summary>
public sealed record IamPolicyDocument(IReadOnlyList<IamStatement> Statements)
{
    public const string Version = "2012-10-17";
}

/// <summary>
/// Builds the least-privilege policy of a role for the configured services from <see cref="IamActions.All"/>: each
/// action granted on the ARNs rewind.yaml names, <c>*</c> only where AWS has no resource-level permission for it.
/// Statements on one service's resources come per service (Sid prefixed with the service's name when there are several);
/// the <c>*</c> statement, the ledger and doctor's probes are shared.
/// </summary>
public static class IamPolicy
{
    /// <param name="services">The services the policy is for.</param>
    /// <param name="role">The role (one flag).</param>
    /// <param name="account">The account id for ARNs; null: the one the configured ARNs name, else <c>*</c>.</param>
    /// <param name="region">The region for ARNs; null: each service's <c>aws.region</c>, else its ARNs', else <c>*</c>.</param>
    public static IamPolicyDocument For(IReadOnlyList<RewindConfig> services, IamRole role, string? account = null, string? region = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var actions = IamActions.All.Where(a => a.Roles.HasFlag(role) && a.Resource != IamResource.NoPermission).ToList();
        var statements = new List<IamStatement>();
        var shared = new[] { IamResource.Any, IamResource.LedgerTable, IamResource.DoctorProbeSecret, IamResource.DoctorProbeDistribution };

        var first = new IamArns(services[0], account, region);
        Add(statements, "NoResourceLevelPermissions", actions, IamResource.Any, _ => ["*"]);
        Add(statements, "LedgerTable", actions, IamResource.LedgerTable, first.Resources);
        foreach (var service in services)
        {
            var arns = new IamArns(service, account, region);
            var prefix = services.Count > 1 ? SidOf(service.Service.Name) : "";
            foreach (var kind in Enum.GetValues<IamResource>().Where(k => !shared.Contains(k)))
                Add(statements, prefix + kind, actions, kind, arns.Resources);
        }
        Add(statements, "DoctorProbeSecret", actions, IamResource.DoctorProbeSecret, first.Resources);
        Add(statements, "DoctorProbeDistribution", actions, IamResource.DoctorProbeDistribution, first.Resources);
        return new IamPolicyDocument(statements);
    }

    /// <summary>The role <c>--for</c> names ("plan", "run", "record", "pipeline"), or null.</summary>
    public static IamRole? RoleNamed(string name) => name switch
    {
        "plan" => IamRole.Plan,
        "run" => IamRole.Run,
        "record" => IamRole.Record,
        "pipeline" => IamRole.Pipeline,
        _ => null,
    };

    private static void Add(List<IamStatement> statements, string sid, List<IamAction> actions, IamResource kind, Func<IamResource, IReadOnlyList<string>> resources)
    {
        var granted = actions.Where(a => a.Resource == kind).Select(a => a.Action).Distinct(StringComparer.Ordinal).ToList();
        var arns = resources(kind);
        if (granted.Count > 0 && arns.Count > 0)
            statements.Add(new IamStatement(sid, granted, arns));
    }

    /// <summary>"claude-proxy-api" → "ClaudeProxyApi": a Sid may hold only letters and digits.</summary>
    private static string SidOf(string name)
    {
        var sid = new System.Text.StringBuilder(name.Length);
        var upper = true;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                upper = true;
                continue;
            }
            sid.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return sid.ToString();
    }
}
