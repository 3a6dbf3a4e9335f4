using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SimpleSystemsManagement;
using Rewind.Aws.CloudFront;
using Rewind.Aws.CloudWatch;
using Rewind.Aws.CodeDeploy;
using Rewind.Aws.Ecs;
using Rewind.Aws.Elb;
using Rewind.Aws.Endpoints;
using Rewind.Aws.SecretsManager;
using Rewind.Aws.Transport;

namespace Rewind.Aws;

/// <summary>
/// The composition point of the wire layer: one session, one <see cref="HttpClient"/>, one transport, and every
/// client Rewind uses, hand-written or official, pointed at the same credentials, region and endpoints.
/// </summary>
public sealed class AwsClients : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly AwsTransportOptions _options;

    public AwsClients(AwsSession session, HttpClient? http = null, AwsTransportOptions? options = null, TimeProvider? time = null)
    {
        Session = session;
        _ownsHttp = http is null;
        _http = http ?? CreateHttpClient();
        _options = options ?? AwsTransportOptions.Default;
        Transport = new AwsTransport(_http, session, _options, time);
    }

    public AwsSession Session { get; }
    public AwsTransport Transport { get; }

    /// <summary>The bounds of every call, the official SDK clients' included.</summary>
    public AwsTransportOptions Options => _options;

    public IEcsClient Ecs => field ??= new EcsClient(Transport);
    public IElbClient Elb => field ??= new ElbClient(Transport);
    public ISecretsManagerClient SecretsManager => field ??= new SecretsManagerClient(Transport);
    public ICloudFrontClient CloudFront => field ??= new CloudFrontClient(Transport);
    public ICloudWatchClient CloudWatch => field ??= new CloudWatchClient(Transport);
    public ICodeDeployClient CodeDeploy => field ??= new CodeDeployClient(Transport);

    public IAmazonSecurityTokenService Sts() => new AmazonSecurityTokenServiceClient(
        Session.Credentials.AsSdkCredentials(), Configure(new AmazonSecurityTokenServiceConfig(), AwsService.Sts));

    public IAmazonSimpleSystemsManagement Ssm() => new AmazonSimpleSystemsManagementClient(
        Session.Credentials.AsSdkCredentials(), Configure(new AmazonSimpleSystemsManagementConfig(), AwsService.Ssm));

    public IAmazonDynamoDB DynamoDb() => new AmazonDynamoDBClient(
        Session.Credentials.AsSdkCredentials(), Configure(new AmazonDynamoDBConfig(), AwsService.DynamoDb));

    /// <summary>Points an official SDK client at the session's region and endpoint, with the transport's bounds.</summary>
    public T Configure<T>(T config, AwsService service) where T : ClientConfig =>
        Configure(config, service, Session.Region, Session.Endpoints, _options);

    /// <summary>Points an official SDK client at <paramref name="region"/> and its endpoint, with the transport's bounds.</summary>
    public static T Configure<T>(T config, AwsService service, string region, AwsEndpointResolver endpoints, AwsTransportOptions options)
        where T : ClientConfig
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(options);
        config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        // The session already applied --endpoint-url and AWS_ENDPOINT_URL*; one source of truth for every client.
        config.IgnoreConfiguredEndpointUrls = true;
        if (endpoints.IsOverridden(service))
        {
            config.ServiceURL = endpoints.Resolve(service, region).ToString();
            config.AuthenticationRegion = service.SigningRegion(region);
        }
        // The same bounds as the transport: its retry mode, its attempts, its per-attempt timeout. The SDK has no
        // overall deadline of its own; SdkErrors.CallAsync gives it one (Options.OverallTimeout).
        config.RetryMode = options.AdaptiveRateLimiting ? RequestRetryMode.Adaptive : RequestRetryMode.Standard;
        config.MaxErrorRetry = options.MaxAttempts - 1;
        config.Timeout = options.AttemptTimeout;
        return config;
    }

    private static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AutomaticDecompression = System.Net.DecompressionMethods.All,
    })
    {
        // Timeouts are the transport's (per attempt and overall), not HttpClient's.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }
}
