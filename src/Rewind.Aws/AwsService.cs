namespace Rewind.Aws;

/// <summary>Describes one AWS service as the wire layer needs it: how to sign for it and where to find it.</summary>
/// <param name="DisplayName">The name used in messages ("ECS", "Secrets Manager").</param>
/// <param name="SigningName">The SigV4 service name ("ecs", "elasticloadbalancing").</param>
/// <param name="EndpointPrefix">The host prefix of the public endpoint ("ecs", "secretsmanager").</param>
/// <param name="EnvironmentKey">The suffix of AWS_ENDPOINT_URL_&lt;KEY&gt; for this service.</param>
/// <param name="GlobalRegion">For global services (CloudFront), the region requests are signed for.</param>
public sealed record AwsService(
    string DisplayName,
    string SigningName,
    string EndpointPrefix,
    string EnvironmentKey,
    string? GlobalRegion = null)
{
    public static readonly AwsService Ecs = new("ECS", "ecs", "ecs", "ECS");
    public static readonly AwsService Elb = new("ELBv2", "elasticloadbalancing", "elasticloadbalancing", "ELASTIC_LOAD_BALANCING_V2");
    public static readonly AwsService SecretsManager = new("Secrets Manager", "secretsmanager", "secretsmanager", "SECRETS_MANAGER");
    public static readonly AwsService CloudFront = new("CloudFront", "cloudfront", "cloudfront", "CLOUDFRONT", GlobalRegion: "us-east-1");
    public static readonly AwsService CloudWatch = new("CloudWatch", "monitoring", "monitoring", "CLOUDWATCH");
    public static readonly AwsService Ssm = new("SSM", "ssm", "ssm", "SSM");
    public static readonly AwsService Sts = new("STS", "sts", "sts", "STS");
    public static readonly AwsService DynamoDb = new("DynamoDB", "dynamodb", "dynamodb", "DYNAMODB");
    public static readonly AwsService CodeDeploy = new("CodeDeploy", "codedeploy", "codedeploy", "CODEDEPLOY");

    /// <summary>Every service Rewind talks to, in the order <c>rewind doctor</c> checks them.</summary>
    public static IReadOnlyList<AwsService> All { get; } = [Sts, Ecs, Elb, SecretsManager, CloudFront, CloudWatch, Ssm, DynamoDb];

    /// <summary>The region a request to this service is signed for.</summary>
    public string SigningRegion(string region) => GlobalRegion ?? region;

    public override string ToString() => DisplayName;
}
