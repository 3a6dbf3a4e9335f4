using Rewind.Aws.CloudFront;
using Rewind.Aws.Errors;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Xunit;

namespace Rewind.IntegrationTests.Clients.CloudFront;

/// <summary>CreateInvalidation is a POST: it runs with moto's signature checking on.</summary>
[Collection("signed-emulator")]
public sealed class CloudFrontSignedTests(SignedEmulatorFixture emulator)
{
    [Fact]
    public async Task Create_invalidation_returns_the_id_status_time_paths_and_caller_reference()
    {
        var ct = TestContext.Current.CancellationToken;
        var transport = ClientFactory.Transport(emulator);
        var distribution = await DistributionSeed.CreateAsync(transport, ct);
        var reference = $"rewind-run-{Guid.NewGuid():N}";
        var started = DateTimeOffset.UtcNow;

        var invalidation = await new CloudFrontClient(transport).CreateInvalidationAsync(
            distribution.Id, ["/index.html", "/assets/*", "/a%20path/with%20spaces%20&%20more"], reference, ct);

        Assert.False(string.IsNullOrEmpty(invalidation.Id));
        Assert.Equal(["/index.html", "/assets/*", "/a%20path/with%20spaces%20&%20more"], invalidation.Paths);
        Assert.Equal(reference, invalidation.CallerReference);
        Assert.InRange(invalidation.CreateTime, started.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(TimeSpan.Zero, invalidation.CreateTime.Offset);
        // moto completes invalidations at once and spells the status "COMPLETED"; AWS answers "InProgress" here,
        // "Completed" minutes later. IsCompleted ignores case, so both spellings read the same.
        Assert.Equal("COMPLETED", invalidation.Status);
        Assert.True(invalidation.IsCompleted);
    }

    [Fact]
    public async Task Create_invalidation_for_a_missing_distribution_fails_with_NoSuchDistribution()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = new CloudFrontClient(ClientFactory.Transport(emulator));

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => client.CreateInvalidationAsync("EDFDVBD6EXAMPLE", ["/index.html"], "rewind-missing", ct));

        Assert.Equal(("NoSuchDistribution", 404), (error.Code, error.HttpStatus));
    }

    [Fact]
    public async Task A_wrong_secret_key_is_refused_with_SignatureDoesNotMatch()
    {
        var ct = TestContext.Current.CancellationToken;
        var distribution = await DistributionSeed.CreateAsync(ClientFactory.Transport(emulator), ct);
        var client = new CloudFrontClient(ClientFactory.WronglySignedTransport(emulator));

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => client.CreateInvalidationAsync(distribution.Id, ["/index.html"], "rewind-wrong-key", ct));

        Assert.Equal(("SignatureDoesNotMatch", 403), (error.Code, error.HttpStatus));
    }

    [Fact]
    public async Task Create_invalidation_refuses_no_paths_and_paths_without_a_leading_slash_before_sending()
    {
        var ct = TestContext.Current.CancellationToken;
        var transport = ClientFactory.Transport(emulator);
        var sent = 0;
        transport.Sending += (_, _) => sent++;
        var client = new CloudFrontClient(transport);

        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateInvalidationAsync("E1", [], "ref", ct));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateInvalidationAsync("E1", ["index.html"], "ref", ct));

        Assert.Equal(0, sent);
    }
}

// GetDistribution and GetInvalidation are GET requests, which moto cannot verify signatures of (it hashes the
// header dict as the payload, so even a correct signature mismatches): these run with checking off.
[Collection("emulator")]
public sealed class CloudFrontReadTests(EmulatorFixture emulator)
{
    [Fact]
    public async Task Get_distribution_returns_the_id_arn_status_domain_enabled_flag_and_etag()
    {
        var ct = TestContext.Current.CancellationToken;
        var transport = ClientFactory.Transport(emulator);
        var seeded = await DistributionSeed.CreateAsync(transport, ct);

        var distribution = await new CloudFrontClient(transport).GetDistributionAsync(seeded.Id, ct);

        Assert.Equal(seeded.Id, distribution.Id);
        Assert.Equal(seeded.Arn, distribution.Arn);
        Assert.Equal(seeded.DomainName, distribution.DomainName);
        Assert.EndsWith(".cloudfront.net", distribution.DomainName, StringComparison.Ordinal);
        Assert.True(distribution.Enabled);
        Assert.Equal(seeded.ETag, distribution.ETag);
        Assert.Equal(0, distribution.InProgressInvalidationBatches);
        Assert.NotNull(distribution.LastModifiedTime);
        Assert.Contains(distribution.Status, new[] { DistributionStatus.InProgress, DistributionStatus.Deployed });
    }

    [Fact]
    public async Task Get_distribution_of_a_missing_id_fails_with_NoSuchDistribution()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = new CloudFrontClient(ClientFactory.Transport(emulator));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetDistributionAsync("EDFDVBD6EXAMPLE", ct));

        Assert.Equal(("NoSuchDistribution", 404), (error.Code, error.HttpStatus));
    }

    [Fact]
    public async Task Get_invalidation_reads_back_what_create_invalidation_started()
    {
        var ct = TestContext.Current.CancellationToken;
        var transport = ClientFactory.Transport(emulator);
        var distribution = await DistributionSeed.CreateAsync(transport, ct);
        var client = new CloudFrontClient(transport);
        var created = await client.CreateInvalidationAsync(distribution.Id, ["/index.html", "/app/*"], $"rewind-{Guid.NewGuid():N}", ct);

        var read = await client.GetInvalidationAsync(distribution.Id, created.Id, ct);

        Assert.Equivalent(created, read, strict: true);
        Assert.True(read.IsCompleted);
    }

    [Fact]
    public async Task Get_invalidation_of_a_missing_id_fails_with_NoSuchInvalidation()
    {
        var ct = TestContext.Current.CancellationToken;
        var transport = ClientFactory.Transport(emulator);
        var distribution = await DistributionSeed.CreateAsync(transport, ct);

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => new CloudFrontClient(transport).GetInvalidationAsync(distribution.Id, "I2J0I21PCUYOIK", ct));

        Assert.Equal(("NoSuchInvalidation", 404), (error.Code, error.HttpStatus));
    }
}

public sealed class CloudFrontStatusTests
{
    [Theory]
    [InlineData("Completed", true)]
    [InlineData("COMPLETED", true)]
    [InlineData("completed", true)]
    [InlineData("InProgress", false)]
    public void Invalidation_status_compares_without_regard_to_case(string status, bool completed) =>
        Assert.Equal(completed, new Invalidation("I1", status, DateTimeOffset.UnixEpoch, ["/"], "ref").IsCompleted);

    [Theory]
    [InlineData("Deployed", true)]
    [InlineData("DEPLOYED", true)]
    [InlineData("InProgress", false)]
    public void Distribution_status_compares_without_regard_to_case(string status, bool deployed) =>
        Assert.Equal(deployed, new Distribution("E1", "arn", status, "d.cloudfront.net", true, 0, null, null).IsDeployed);
}
