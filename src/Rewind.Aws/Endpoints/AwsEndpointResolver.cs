using Rewind.Aws.Errors;

namespace Rewind.Aws.Endpoints;

/// <summary>
/// Finds the endpoint of a service, in the order the AWS CLI uses: <c>--endpoint-url</c>,
/// <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, <c>AWS_ENDPOINT_URL</c>, the configured endpoint, then the public one.
/// </summary>
public sealed class AwsEndpointResolver
{
    private readonly Uri? _override;
    private readonly Uri? _configured;
    private readonly Func<string, string?> _environment;

    public AwsEndpointResolver(string? endpointOverride, string? configuredEndpoint, Func<string, string?> environment)
    {
        _environment = environment;
        _override = endpointOverride is null ? null : Parse(endpointOverride, "--endpoint-url");
        _configured = configuredEndpoint is null ? null : Parse(configuredEndpoint, "the configured endpoint_url");
        // Validate the environment up front so a typo fails before any request is sent.
        _ = Parse(environment("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL");
    }

    /// <summary>True when any request goes somewhere other than AWS's public endpoints.</summary>
    public bool IsOverridden(AwsService service) => Overridden(service) is not null;

    public Uri Resolve(AwsService service, string region) =>
        Overridden(service)
        ?? (service.GlobalRegion is null
            ? new Uri($"https://{service.EndpointPrefix}.{region}.{DnsSuffix(region)}/")
            : new Uri($"https://{service.EndpointPrefix}.amazonaws.com/"));

    private Uri? Overridden(AwsService service)
    {
        var key = "AWS_ENDPOINT_URL_" + service.EnvironmentKey;
        return _override ?? Parse(_environment(key), key) ?? Parse(_environment("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL") ?? _configured;
    }

    private static string DnsSuffix(string region) => region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";

    /// <summary>Parses an endpoint URL, or explains in one line why it is not one.</summary>
    public static Uri? Parse(string? value, string source)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var withUser) && withUser.UserInfo.Length > 0)
        {
            // Never quoted: the user information is a credential, and AWS signs requests with keys, not URL passwords.
            throw new AwsConfigurationException(
                $"{source} has a user name or password in it (the URL is not shown)",
                "AWS credentials go in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or a profile (--profile), never in the URL");
        }
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new AwsConfigurationException(
                $"{source} '{value}' is not an http(s) URL",
                "give an absolute URL such as http://127.0.0.1:5000 or https://ecs.eu-west-1.amazonaws.com");
        }
        return uri.AbsolutePath == "/" ? uri : new Uri(uri.GetLeftPart(UriPartial.Authority) + uri.AbsolutePath.TrimEnd('/') + "/");
    }
}
