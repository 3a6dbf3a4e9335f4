namespace Rewind.Aws.Iam;

/// <summary>The role a policy is for: which commands its holder may run (<c>rewind iam-policy --for</c>).</summary>
[Flags]
public enum IamRole
{
    None = 0,

    /// <summary>Read-only: what <c>plan</c>, <c>status</c> and <c>doctor</c> call.</summary>
    Plan = 1,

    /// <summary>The rollback: everything <c>rewind run --live</c> calls (its plan included).</summary>
    Run = 2,

    /// <summary>What <c>rewind record</c> calls: read the running release, check the freeze, write the ledger.</summary>
    Record = 4,

    /// <summary>The deploy pipeline: <c>record</c>, <c>freeze check</c> and <c>plan</c> (the composite action's modes).</summary>
    Pipeline = 8,
}

/// <summary>What an action is granted on: the kind of ARN built from rewind.yaml, or <c>*</c>.</summary>
public enum IamResource
{
    /// <summary><c>"*"</c>: AWS supports no resource-level permission for the action.</summary>
    Any,

    /// <summary>The ECS service: <c>arn:aws:ecs:R:A:service/CLUSTER/SERVICE</c>.</summary>
    EcsService,

    /// <summary>The service's deployments: <c>service-deployment/CLUSTER/SERVICE/*</c>.</summary>
    EcsServiceDeployments,

    /// <summary>The service's revisions: <c>service-revision/CLUSTER/SERVICE/*</c>.</summary>
    EcsServiceRevisions,

    /// <summary>The canary listener (<c>canary.listener_arn</c>).</summary>
    CanaryListener,

    /// <summary>The canary rule (<c>canary.rule_arn</c>).</summary>
    CanaryRule,

    /// <summary>The secrets the rollback moves back (<c>secrets[].id</c>).</summary>
    RotatedSecrets,

    /// <summary>The rotated secrets and the smoke checks' API key secret (<c>smoke.api_key_secret</c>).</summary>
    KnownSecrets,

    /// <summary>The smoke checks' API key secret only: the one secret whose value Rewind reads.</summary>
    ApiKeySecret,

    /// <summary>The CloudFront distribution (<c>cdn.distribution_id</c>).</summary>
    Distribution,

    /// <summary>The SSM parameter the freeze is published to (<c>freeze.ssm_parameter</c>).</summary>
    FreezeParameter,

    /// <summary>The DynamoDB ledger table (<c>ledger.table</c>); nothing with the SQLite ledger.</summary>
    LedgerTable,

    /// <summary>The CodeDeploy application (<c>service.codedeploy_application</c>).</summary>
    CodeDeployApplication,

    /// <summary>The CodeDeploy deployment group (<c>service.codedeploy_group</c>, <c>*</c> when not set).</summary>
    CodeDeployGroup,

    /// <summary>CodeDeploy's deployment configurations (<c>deploymentconfig:*</c>).</summary>
    CodeDeployConfig,

    /// <summary>The role Rewind assumes (<c>aws.role_arn</c>).</summary>
    AssumedRole,

    /// <summary>The secret name doctor's probe asks for (<c>rewind-doctor-probe</c>), so not-found proves access.</summary>
    DoctorProbeSecret,

    /// <summary>The distribution id doctor's probe asks for (<c>REWINDDOCTORPROBE</c>).</summary>
    DoctorProbeDistribution,

    /// <summary>No permission: AWS allows the call to every identity (sts:GetCallerIdentity).</summary>
    NoPermission,
}

/// <summary>
/// One IAM action Rewind needs: the operation it sends (keyed "signing-name:Operation" like <see cref="Transport.CallClasses"/>),
/// the IAM action AWS checks for it, what the action is granted on, and which roles need it.
/// </summary>
/// <param name="Operation">The operation sent, "signing-name:Operation".</param>
/// <param name="Action">The IAM action checked, "iam-prefix:Action"; a permission-only action when not an operation of the service.</param>
/// <param name="Resource">What it is granted on.</param>
/// <param name="Roles">The roles whose policy holds it; <see cref="IamRole.None"/> for an operation a client can send but no command does yet.</param>
public sealed record IamAction(string Operation, string Action, IamResource Resource, IamRole Roles);

/// <summary>
/// The one catalogue of every operation Rewind's clients send and the IAM permission each needs: the source of
/// <c>rewind iam-policy</c> (a test keeps it complete against the clients and checks each action against botocore's models).
/// </summary>
public static class IamActions
{
    private const IamRole Reads = IamRole.Plan | IamRole.Run | IamRole.Pipeline;
    private const IamRole RecordReads = Reads | IamRole.Record;
    private const IamRole Writes = IamRole.Run;
    private const IamRole LedgerWrites = IamRole.Run | IamRole.Record | IamRole.Pipeline;

    /// <summary>Actions AWS checks that are not an operation of their service's API (documented in docs/iam.md).</summary>
    public static IReadOnlySet<string> PermissionOnly { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "dynamodb:ConditionCheckItem", // the ConditionCheck item of TransactWriteItems
    };

    public static IReadOnlyList<IamAction> All { get; } =
    [
        // ECS. DescribeTaskDefinition, ListTaskDefinitions and ListServices take no resource ARN in IAM.
        new("ecs:DescribeServices", "ecs:DescribeServices", IamResource.EcsService, RecordReads),
        new("ecs:ListServiceDeployments", "ecs:ListServiceDeployments", IamResource.EcsService, Reads),
        new("ecs:DescribeServiceDeployments", "ecs:DescribeServiceDeployments", IamResource.EcsServiceDeployments, Reads),
        new("ecs:DescribeServiceRevisions", "ecs:DescribeServiceRevisions", IamResource.EcsServiceRevisions, Reads),
        new("ecs:DescribeTaskDefinition", "ecs:DescribeTaskDefinition", IamResource.Any, Reads),
        new("ecs:ListTaskDefinitions", "ecs:ListTaskDefinitions", IamResource.Any, Reads),
        new("ecs:ListServices", "ecs:ListServices", IamResource.Any, IamRole.None),
        new("ecs:ListTagsForResource", "ecs:ListTagsForResource", IamResource.EcsService, IamRole.None),
        new("ecs:TagResource", "ecs:TagResource", IamResource.EcsService, IamRole.None),
        new("ecs:UpdateService", "ecs:UpdateService", IamResource.EcsService, Writes),
        new("ecs:StopServiceDeployment", "ecs:StopServiceDeployment", IamResource.EcsServiceDeployments, Writes),
        new("ecs:ContinueServiceDeployment", "ecs:ContinueServiceDeployment", IamResource.EcsServiceDeployments, Writes),

        // ELBv2: every Describe* takes only "*"; the weights are written on the configured listener or rule.
        new("elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListeners", IamResource.Any, RecordReads),
        new("elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeRules", IamResource.Any, RecordReads),
        new("elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroups", IamResource.Any, Reads),
        new("elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTargetHealth", IamResource.Any, Reads),
        new("elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyListener", IamResource.CanaryListener, Writes),
        new("elasticloadbalancing:ModifyRule", "elasticloadbalancing:ModifyRule", IamResource.CanaryRule, Writes),

        // Secrets Manager: every action takes the secret's ARN.
        new("secretsmanager:DescribeSecret", "secretsmanager:DescribeSecret", IamResource.KnownSecrets, Reads),
        new("secretsmanager:DescribeSecret", "secretsmanager:DescribeSecret", IamResource.DoctorProbeSecret, IamRole.Plan),
        new("secretsmanager:ListSecretVersionIds", "secretsmanager:ListSecretVersionIds", IamResource.RotatedSecrets, RecordReads),
        new("secretsmanager:GetSecretValue", "secretsmanager:GetSecretValue", IamResource.ApiKeySecret, IamRole.Run),
        new("secretsmanager:UpdateSecretVersionStage", "secretsmanager:UpdateSecretVersionStage", IamResource.RotatedSecrets, Writes),

        // CloudFront: the distribution's ARN (global: no region in it).
        new("cloudfront:GetDistribution", "cloudfront:GetDistribution", IamResource.Distribution, Reads),
        new("cloudfront:GetDistribution", "cloudfront:GetDistribution", IamResource.DoctorProbeDistribution, IamRole.Plan),
        new("cloudfront:GetInvalidation", "cloudfront:GetInvalidation", IamResource.Distribution, IamRole.Run),
        new("cloudfront:CreateInvalidation", "cloudfront:CreateInvalidation", IamResource.Distribution, Writes),

        // CloudWatch (signed as "monitoring", authorised as "cloudwatch"): metric reads take only "*"; doctor lists alarms by prefix.
        new("monitoring:GetMetricData", "cloudwatch:GetMetricData", IamResource.Any, Reads),
        new("monitoring:ListMetrics", "cloudwatch:ListMetrics", IamResource.Any, Reads),
        new("monitoring:DescribeAlarms", "cloudwatch:DescribeAlarms", IamResource.Any, Reads),

        // CodeDeploy (a CODE_DEPLOY service): the application and its deployment group.
        // Only sent when service.codedeploy_application is not set, where the policy has no CodeDeploy statement (docs/iam.md).
        new("codedeploy:ListApplications", "codedeploy:ListApplications", IamResource.Any, IamRole.None),
        new("codedeploy:ListDeploymentGroups", "codedeploy:ListDeploymentGroups", IamResource.CodeDeployApplication, Reads),
        new("codedeploy:BatchGetDeploymentGroups", "codedeploy:BatchGetDeploymentGroups", IamResource.CodeDeployGroup, Reads),
        new("codedeploy:GetDeploymentGroup", "codedeploy:GetDeploymentGroup", IamResource.CodeDeployGroup, Reads),
        new("codedeploy:ListDeployments", "codedeploy:ListDeployments", IamResource.CodeDeployGroup, Reads),
        new("codedeploy:GetDeployment", "codedeploy:GetDeployment", IamResource.CodeDeployGroup, Reads),
        new("codedeploy:StopDeployment", "codedeploy:StopDeployment", IamResource.CodeDeployGroup, Writes),
        new("codedeploy:CreateDeployment", "codedeploy:CreateDeployment", IamResource.CodeDeployGroup, Writes),
        // CreateDeployment also checks the deployment configuration and registers the AppSpec as a revision of the application.
        new("codedeploy:CreateDeployment", "codedeploy:GetDeploymentConfig", IamResource.CodeDeployConfig, Writes),
        new("codedeploy:CreateDeployment", "codedeploy:RegisterApplicationRevision", IamResource.CodeDeployApplication, Writes),
        new("codedeploy:CreateDeployment", "codedeploy:GetApplicationRevision", IamResource.CodeDeployApplication, Writes),

        // SSM: the freeze parameter; doctor's probe lists parameters, which takes only "*".
        new("ssm:GetParameter", "ssm:GetParameter", IamResource.FreezeParameter, RecordReads),
        new("ssm:PutParameter", "ssm:PutParameter", IamResource.FreezeParameter, Writes),
        new("ssm:DescribeParameters", "ssm:DescribeParameters", IamResource.Any, IamRole.Plan),

        // DynamoDB (the ledger table); TransactWriteItems is authorised item by item (Put, Delete, ConditionCheck).
        new("dynamodb:DescribeTable", "dynamodb:DescribeTable", IamResource.LedgerTable, RecordReads),
        new("dynamodb:GetItem", "dynamodb:GetItem", IamResource.LedgerTable, RecordReads),
        new("dynamodb:Query", "dynamodb:Query", IamResource.LedgerTable, RecordReads),
        new("dynamodb:BatchGetItem", "dynamodb:BatchGetItem", IamResource.LedgerTable, RecordReads),
        new("dynamodb:ListTables", "dynamodb:ListTables", IamResource.Any, IamRole.Plan),
        new("dynamodb:PutItem", "dynamodb:PutItem", IamResource.LedgerTable, LedgerWrites),
        new("dynamodb:UpdateItem", "dynamodb:UpdateItem", IamResource.LedgerTable, LedgerWrites),
        new("dynamodb:DeleteItem", "dynamodb:DeleteItem", IamResource.LedgerTable, LedgerWrites),
        new("dynamodb:TransactWriteItems", "dynamodb:PutItem", IamResource.LedgerTable, LedgerWrites),
        new("dynamodb:TransactWriteItems", "dynamodb:DeleteItem", IamResource.LedgerTable, LedgerWrites),
        new("dynamodb:TransactWriteItems", "dynamodb:ConditionCheckItem", IamResource.LedgerTable, LedgerWrites),
        // 'rewind ledger init' creates the table once: an administrator's call, in no role's policy.
        new("dynamodb:CreateTable", "dynamodb:CreateTable", IamResource.LedgerTable, IamRole.None),

        // STS: the configured role, assumed before any other call; who-am-I needs no permission.
        new("sts:AssumeRole", "sts:AssumeRole", IamResource.AssumedRole, RecordReads),
        new("sts:GetCallerIdentity", "sts:GetCallerIdentity", IamResource.NoPermission, IamRole.Plan),
    ];

    /// <summary>The catalogue entries for an operation Rewind sends ("signing-name:Operation"); empty when it is missing.</summary>
    public static IReadOnlyList<IamAction> For(string operation) => [.. All.Where(a => a.Operation == operation)];
}
