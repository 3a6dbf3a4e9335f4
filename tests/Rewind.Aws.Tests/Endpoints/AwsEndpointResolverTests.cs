using Rewind.Aws.Endpoints;
using Rewind.Aws.Errors;
using Xunit;

namespace Rewind.Aws.Tests.Endpoints;

public sealed class AwsEndpointResolverTests
{
    private static readonly (string, string) EcsVariable = ("AWS_ENDPOINT_URL_ECS", "http://ecs-env:1/");
    private static readonly (string, string) GlobalVariable = ("AWS_ENDPOINT_URL", "http://global-env:2/");

    private static Func<string, string?> EnvironmentOf(params (string Name, string Value)[] variables)
    {
        var values = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => values.GetValueOrDefault(name);
    }

    [Fact]
    public void Given_every_source_when_resolving_then_endpoint_url_flag_wins()
    {
        var resolver = new AwsEndpointResolver("http://flag:9/", "http://configured:3/", EnvironmentOf(EcsVariable, GlobalVariable));

        Assert.Equal(new Uri("http://flag:9/"), resolver.Resolve(AwsService.Ecs, "eu-west-1"));
    }

    [Fact]
    public void Given_no_flag_when_resolving_then_the_service_variable_beats_AWS_ENDPOINT_URL_and_the_configuration()
    {
        var resolver = new AwsEndpointResolver(null, "http://configured:3/", EnvironmentOf(EcsVariable, GlobalVariable));

        Assert.Equal(new Uri("http://ecs-env:1/"), resolver.Resolve(AwsService.Ecs, "eu-west-1"));
        Assert.Equal(new Uri("http://global-env:2/"), resolver.Resolve(AwsService.Elb, "eu-west-1"));
    }

    [Fact]
    public void Given_only_AWS_ENDPOINT_URL_and_a_configured_endpoint_when_resolving_then_the_variable_wins()
    {
        var resolver = new AwsEndpointResolver(null, "http://configured:3/", EnvironmentOf(GlobalVariable));

        Assert.Equal(new Uri("http://global-env:2/"), resolver.Resolve(AwsService.Ecs, "eu-west-1"));
    }

    [Fact]
    public void Given_only_a_configured_endpoint_when_resolving_then_it_is_used_and_counts_as_overridden()
    {
        var resolver = new AwsEndpointResolver(null, "http://configured:3", EnvironmentOf());

        Assert.Equal(new Uri("http://configured:3/"), resolver.Resolve(AwsService.Ecs, "eu-west-1"));
        Assert.True(resolver.IsOverridden(AwsService.Ecs));
    }

    [Theory]
    [InlineData("ecs", "eu-west-1", "https://ecs.eu-west-1.amazonaws.com/")]
    [InlineData("elb", "us-east-2", "https://elasticloadbalancing.us-east-2.amazonaws.com/")]
    [InlineData("cloudfront", "eu-west-1", "https://cloudfront.amazonaws.com/")]
    [InlineData("ecs", "cn-north-1", "https://ecs.cn-north-1.amazonaws.com.cn/")]
    public void Given_no_override_when_resolving_then_the_public_endpoint_is_used(string service, string region, string expected)
    {
        var resolver = new AwsEndpointResolver(null, null, EnvironmentOf());
        var target = service switch
        {
            "ecs" => AwsService.Ecs,
            "elb" => AwsService.Elb,
            _ => AwsService.CloudFront,
        };

        Assert.Equal(new Uri(expected), resolver.Resolve(target, region));
        Assert.False(resolver.IsOverridden(target));
    }

    [Fact]
    public void Given_an_endpoint_with_a_path_when_resolving_then_the_path_keeps_one_trailing_slash()
    {
        var resolver = new AwsEndpointResolver("  http://localhost:4566/moto//  ", null, EnvironmentOf());

        Assert.Equal("http://localhost:4566/moto/", resolver.Resolve(AwsService.Ecs, "us-east-1").ToString());
    }

    [Theory]
    [InlineData("notaurl")]
    [InlineData("ftp://x")]
    [InlineData("http://")]
    public void Given_a_malformed_endpoint_url_flag_when_constructed_then_the_error_names_the_flag(string value)
    {
        var error = Assert.Throws<AwsConfigurationException>(() => new AwsEndpointResolver(value, null, EnvironmentOf()));

        Assert.Equal($"--endpoint-url '{value}' is not an http(s) URL", error.Message);
        Assert.Contains("http://127.0.0.1:5000", error.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notaurl")]
    [InlineData("ftp://x")]
    [InlineData("http://")]
    public void Given_a_malformed_AWS_ENDPOINT_URL_when_constructed_then_it_fails_before_any_request_naming_the_variable(string value)
    {
        var error = Assert.Throws<AwsConfigurationException>(() => new AwsEndpointResolver(null, null, EnvironmentOf(("AWS_ENDPOINT_URL", value))));

        Assert.StartsWith("AWS_ENDPOINT_URL '", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_malformed_configured_endpoint_when_constructed_then_the_error_names_the_configuration()
    {
        var error = Assert.Throws<AwsConfigurationException>(() => new AwsEndpointResolver(null, "ftp://x", EnvironmentOf()));

        Assert.StartsWith("the configured endpoint_url 'ftp://x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_malformed_service_variable_when_resolving_that_service_then_the_error_names_the_variable()
    {
        var resolver = new AwsEndpointResolver(null, null, EnvironmentOf(("AWS_ENDPOINT_URL_ECS", "notaurl")));

        var error = Assert.Throws<AwsConfigurationException>(() => resolver.Resolve(AwsService.Ecs, "us-east-1"));

        Assert.StartsWith("AWS_ENDPOINT_URL_ECS 'notaurl'", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Uri("https://sts.us-east-1.amazonaws.com/"), resolver.Resolve(AwsService.Sts, "us-east-1"));
    }

    [Fact]
    public void Given_blank_variables_when_resolving_then_they_are_ignored()
    {
        var resolver = new AwsEndpointResolver(null, null, EnvironmentOf(("AWS_ENDPOINT_URL", "  "), ("AWS_ENDPOINT_URL_ECS", "")));

        Assert.Equal(new Uri("https://ecs.us-east-1.amazonaws.com/"), resolver.Resolve(AwsService.Ecs, "us-east-1"));
    }
}
