using System.Text;
using System.Xml.Linq;
using Rewind.Aws;
using Rewind.Aws.Transport;

namespace Rewind.IntegrationTests.Clients.CloudFront;

/// <summary>A distribution as CreateDistribution answered: its id, ETag header, ARN and domain name.</summary>
internal sealed record SeededDistribution(string Id, string ETag, string Arn, string DomainName);

/// <summary>Creates a distribution with a signed POST (the client under test has no create operation).</summary>
internal static class DistributionSeed
{
    private static readonly XNamespace Namespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

    public static async Task<SeededDistribution> CreateAsync(AwsTransport transport, CancellationToken ct)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var originId = $"origin-{suffix}";
        var config = new XElement(Namespace + "DistributionConfig",
            new XElement(Namespace + "CallerReference", $"rewind-test-{suffix}"),
            new XElement(Namespace + "Origins",
                new XElement(Namespace + "Quantity", "1"),
                new XElement(Namespace + "Items",
                    new XElement(Namespace + "Origin",
                        new XElement(Namespace + "Id", originId),
                        new XElement(Namespace + "DomainName", $"rewind-{suffix}.s3.amazonaws.com"),
                        new XElement(Namespace + "S3OriginConfig", new XElement(Namespace + "OriginAccessIdentity", ""))))),
            new XElement(Namespace + "DefaultCacheBehavior",
                new XElement(Namespace + "TargetOriginId", originId),
                new XElement(Namespace + "ForwardedValues",
                    new XElement(Namespace + "QueryString", "false"),
                    new XElement(Namespace + "Cookies", new XElement(Namespace + "Forward", "none"))),
                new XElement(Namespace + "TrustedSigners", new XElement(Namespace + "Enabled", "false"), new XElement(Namespace + "Quantity", "0")),
                new XElement(Namespace + "ViewerProtocolPolicy", "redirect-to-https"),
                new XElement(Namespace + "MinTTL", "0")),
            new XElement(Namespace + "Comment", "rewind client test"),
            new XElement(Namespace + "Enabled", "true"));

        var response = await transport.SendAsync(AwsService.CloudFront, new AwsRequest(
            "CreateDistribution", HttpMethod.Post, "/2020-05-31/distribution",
            Body: Encoding.UTF8.GetBytes(config.ToString(SaveOptions.DisableFormatting)), ContentType: "application/xml")
        { Class = CallClass.NotIdempotent }, ct);
        var distribution = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Root!;
        string Text(string name) => distribution.Elements().First(e => e.Name.LocalName == name).Value;
        return new SeededDistribution(Text("Id"), response.Headers["ETag"], Text("ARN"), Text("DomainName"));
    }
}
