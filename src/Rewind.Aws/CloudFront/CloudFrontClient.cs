using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Rewind.Aws.Errors;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;
using Rewind.Core.Rules;

namespace Rewind.Aws.CloudFront;

/// <summary>CloudFront over rest-xml (API 2020-05-31), at the global endpoint, signed for us-east-1.</summary>
public sealed class CloudFrontClient(AwsTransport transport) : ICloudFrontClient
{
    private const string ApiPath = "/2020-05-31";
    private static readonly XNamespace Namespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

    public async Task<Invalidation> CreateInvalidationAsync(
        string distributionId, IReadOnlyList<string> paths, string callerReference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(callerReference);
        ArgumentNullException.ThrowIfNull(paths);
        if (InvalidationPaths.Problem(paths) is { } problem)
            throw new ArgumentException($"invalidation refused: {problem}", nameof(paths));

        var batch = new XElement(Namespace + "InvalidationBatch",
            new XElement(Namespace + "Paths",
                new XElement(Namespace + "Quantity", paths.Count.ToString(CultureInfo.InvariantCulture)),
                new XElement(Namespace + "Items", paths.Select(p => new XElement(Namespace + "Path", p)))),
            new XElement(Namespace + "CallerReference", callerReference));
        var request = new AwsRequest(
            "CreateInvalidation", HttpMethod.Post, $"{DistributionPath(distributionId)}/invalidation",
            Body: Encoding.UTF8.GetBytes(batch.ToString(SaveOptions.DisableFormatting)), ContentType: "application/xml");
        var response = await transport.SendAsync(AwsService.CloudFront, request with { IsReadOnly = false }, cancellationToken);
        return Read("CreateInvalidation", response, ReadInvalidation);
    }

    public async Task<Invalidation> GetInvalidationAsync(string distributionId, string invalidationId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(invalidationId);
        var path = $"{DistributionPath(distributionId)}/invalidation/{Uri.EscapeDataString(invalidationId)}";
        var response = await transport.SendAsync(AwsService.CloudFront, Get("GetInvalidation", path), cancellationToken);
        return Read("GetInvalidation", response, ReadInvalidation);
    }

    public async Task<Distribution> GetDistributionAsync(string distributionId, CancellationToken cancellationToken)
    {
        var response = await transport.SendAsync(AwsService.CloudFront, Get("GetDistribution", DistributionPath(distributionId)), cancellationToken);
        response.Headers.TryGetValue("ETag", out var etag);
        return Read("GetDistribution", response, root => ReadDistribution(root, etag));
    }

    private static AwsRequest Get(string operation, string path) => new(operation, HttpMethod.Get, path) { IsReadOnly = true };

    private static string DistributionPath(string distributionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(distributionId);
        return $"{ApiPath}/distribution/{Uri.EscapeDataString(distributionId)}";
    }

    private static Invalidation ReadInvalidation(XElement invalidation)
    {
        var batch = invalidation.Child("InvalidationBatch") ?? throw new XmlException("<Invalidation> has no <InvalidationBatch>");
        var paths = batch.Child("Paths") ?? throw new XmlException("<InvalidationBatch> has no <Paths>");
        return new Invalidation(
            invalidation.RequiredText("Id"),
            invalidation.RequiredText("Status"),
            Timestamp(invalidation.RequiredText("CreateTime")),
            [.. paths.Items("Items", "Path").Select(p => p.Value)],
            batch.RequiredText("CallerReference"));
    }

    private static Distribution ReadDistribution(XElement distribution, string? etag)
    {
        var config = distribution.Child("DistributionConfig") ?? throw new XmlException("<Distribution> has no <DistributionConfig>");
        return new Distribution(
            distribution.RequiredText("Id"),
            distribution.RequiredText("ARN"),
            distribution.RequiredText("Status"),
            distribution.RequiredText("DomainName"),
            config.Bool("Enabled") ?? throw new XmlException("<DistributionConfig> has no <Enabled>"),
            distribution.Int("InProgressInvalidationBatches") ?? 0,
            distribution.Text("LastModifiedTime") is { } modified ? Timestamp(modified) : null,
            string.IsNullOrEmpty(etag) ? null : etag);
    }

    private static DateTimeOffset Timestamp(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static T Read<T>(string operation, AwsResponse response, Func<XElement, T> read)
    {
        try
        {
            var root = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Root ?? throw new XmlException("no root element");
            return read(root);
        }
        catch (Exception e) when (e is XmlException or FormatException)
        {
            throw new AwsServiceException(
                AwsService.CloudFront, operation, "MalformedResponse", $"the answer could not be read: {e.Message}", response.Status, response.RequestId);
        }
    }
}
