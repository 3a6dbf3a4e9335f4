using System.Reflection;
using System.Text.RegularExpressions;
using Rewind.Aws.CloudFront;
using Rewind.Aws.Ecs;
using Rewind.Aws.Elb;
using Rewind.Aws.Errors;
using Rewind.Aws.SecretsManager;
using Rewind.Aws.Transport;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Aws.Tests.Transport;

public sealed partial class CallClassTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static AwsRequest UpdateService { get; } = new(
        "UpdateService", HttpMethod.Post, "/",
        Headers: [new("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.UpdateService")],
        Body: """{"cluster":"prod","service":"api","forceNewDeployment":true}"""u8.ToArray(),
        ContentType: "application/x-amz-json-1.1");

    private static AwsRequest ModifyListener { get; } = new(
        "ModifyListener", HttpMethod.Post, "/", Body: "Action=ModifyListener&Version=2015-12-01"u8.ToArray(),
        ContentType: "application/x-www-form-urlencoded; charset=utf-8");

    [Fact]
    public void Every_mutating_operation_the_hand_written_clients_send_has_a_declared_class()
    {
        var sent = MutatingOperationsInSource("src/Rewind.Aws");

        Assert.NotEmpty(sent);
        Assert.All(sent, op => Assert.True(CallClasses.Mutating.ContainsKey(op), $"{op} is sent but has no class in CallClasses"));
        Assert.Contains("ecs:UpdateService", sent);
        Assert.Contains("cloudfront:CreateInvalidation", sent);
        Assert.Contains("codedeploy:StopDeployment", sent);
        Assert.Contains("codedeploy:CreateDeployment", sent);
    }

    [Fact]
    public void Every_mutating_operation_sent_through_the_official_SDK_clients_has_a_declared_class()
    {
        // STS AssumeRole (a service's role_arn) changes nothing in the account: it only hands out temporary credentials.
        var reads = new[] { "Get", "Describe", "List", "Query", "Scan", "BatchGet", "AssumeRole" };
        var sdkCalls = SourceFiles("src")
            .Where(f => File.ReadAllText(f).Contains("using Amazon.", StringComparison.Ordinal))
            .SelectMany(f => SdkRequest().Matches(File.ReadAllText(f)).Select(m => (File: f, Operation: m.Groups[1].Value)))
            .Where(c => !reads.Any(r => c.Operation.StartsWith(r, StringComparison.Ordinal)))
            .Select(c => (c.File.Contains("DynamoDb", StringComparison.Ordinal) ? "dynamodb:" : "ssm:") + c.Operation)
            .Distinct()
            .ToList();

        Assert.Contains("ssm:PutParameter", sdkCalls);
        Assert.Contains("dynamodb:TransactWriteItems", sdkCalls);
        Assert.All(sdkCalls, op => Assert.True(CallClasses.Mutating.ContainsKey(op), $"{op} is sent but has no class in CallClasses"));
    }

    [Fact]
    public void The_table_gives_forced_deployments_and_CodeDeploy_no_resend_and_weights_and_tokens_a_resend()
    {
        Assert.Equal(CallClass.NotIdempotent, CallClasses.Of(AwsService.Ecs, "UpdateService"));
        Assert.Equal(CallClass.NotIdempotent, CallClasses.Mutating["ecs:StopServiceDeployment"]);
        Assert.Equal(CallClass.NotIdempotent, CallClasses.Mutating["codedeploy:CreateDeployment"]);
        Assert.Equal(CallClass.IdempotentByNature, CallClasses.Of(AwsService.Elb, "ModifyListener"));
        Assert.Equal(CallClass.IdempotentByNature, CallClasses.Of(AwsService.SecretsManager, "UpdateSecretVersionStage"));
        Assert.Equal(CallClass.IdempotentByToken, CallClasses.Of(AwsService.CloudFront, "CreateInvalidation"));
        Assert.Equal(CallClass.Read, CallClasses.Of(AwsService.Ecs, TestTransport.DescribeServices with { IsReadOnly = true }));
        Assert.False(CallClass.NotIdempotent.IsSafeToResend());
    }

    [Fact]
    public void A_mutating_operation_missing_from_the_table_is_refused_not_defaulted()
    {
        var error = Assert.Throws<InvalidOperationException>(() => CallClasses.Of(AwsService.Ecs, "DeleteService"));

        Assert.Contains("ecs:DeleteService", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_UpdateService_whose_answer_never_comes_when_the_attempt_times_out_then_it_is_not_resent_and_surfaces_as_answer_lost()
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, StubResponse.Stall(), StubResponse.Ok());
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions { AttemptTimeout = TimeSpan.FromSeconds(2), Jitter = () => 0 }, clock);

        var call = transport.SendAsync(AwsService.Ecs, UpdateService, Token);
        await stub.WaitForRequestsAsync(1, Token);
        clock.Advance(TimeSpan.FromSeconds(2));
        var error = await Assert.ThrowsAsync<AwsAnswerLostException>(() => call.WaitAsync(TimeSpan.FromSeconds(5), Token));

        Assert.Equal("UpdateService", error.Operation);
        Assert.Contains("no answer within 2 s", error.WhatHappened, StringComparison.Ordinal);
        Assert.Single(stub.Requests);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Given_UpdateService_answered_with_a_5xx_when_sent_then_it_is_not_resent(int status)
    {
        await using var stub = LoopbackStub.Start(StubResponse.Json(status, ""), StubResponse.Ok());
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions { Jitter = () => 0 }, TimeProvider.System);

        var error = await Assert.ThrowsAsync<AwsAnswerLostException>(() => transport.SendAsync(AwsService.Ecs, UpdateService, Token));

        Assert.Contains($"HTTP {status}", error.WhatHappened, StringComparison.Ordinal);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Given_UpdateService_throttled_twice_when_sent_then_the_third_attempt_succeeds()
    {
        const string throttled = """{"__type":"ThrottlingException","message":"Rate exceeded"}""";
        await using var stub = LoopbackStub.Start(StubResponse.Json(400, throttled), StubResponse.Json(400, throttled), StubResponse.Ok());
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions { Jitter = () => 0 }, TimeProvider.System);

        var response = await transport.SendAsync(AwsService.Ecs, UpdateService, Token);

        Assert.Equal(200, response.Status);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task Given_ModifyListener_whose_answer_never_comes_when_the_attempt_times_out_then_it_is_resent()
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, StubResponse.Stall(), new StubResponse(200, "<ModifyListenerResponse/>"));
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions { AttemptTimeout = TimeSpan.FromSeconds(2), Jitter = () => 0 }, clock);

        var call = transport.SendAsync(AwsService.Elb, ModifyListener, Token);
        await stub.WaitForRequestsAsync(1, Token);
        clock.Advance(TimeSpan.FromSeconds(2));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(5), Token);

        Assert.Equal(200, response.Status);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task Given_nothing_listening_when_UpdateService_is_sent_then_it_is_retried_because_it_never_left()
    {
        var endpoint = $"http://127.0.0.1:{LoopbackStub.UnusedPort()}/";
        var transport = TestTransport.For(endpoint, new AwsTransportOptions { Jitter = () => 0 }, TimeProvider.System);
        var attempts = 0;
        transport.Sending += (_, _) => Interlocked.Increment(ref attempts);

        await Assert.ThrowsAsync<AwsUnavailableException>(() => transport.SendAsync(AwsService.Ecs, UpdateService, Token));

        Assert.Equal(AwsTransportOptions.DefaultMaxAttempts, attempts);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("11")]
    [InlineData("three")]
    public void Given_AWS_MAX_ATTEMPTS_out_of_bounds_when_options_are_read_then_it_is_a_setup_error(string value)
    {
        var error = Assert.Throws<AwsConfigurationException>(() => AwsTransportOptions.FromEnvironment(name => name == "AWS_MAX_ATTEMPTS" ? value : null));

        Assert.Contains("AWS_MAX_ATTEMPTS", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, AwsTransportOptions.FromEnvironment(name => name == "AWS_MAX_ATTEMPTS" ? "5" : null).MaxAttempts);
        Assert.Equal(3, AwsTransportOptions.FromEnvironment(_ => null).MaxAttempts);
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    /// <summary>"service:Operation" of every InvokeAsync(..., readOnly: false) and every CloudFront request marked mutating.</summary>
    private static List<string> MutatingOperationsInSource(string folder)
    {
        var prefixes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Ecs"] = "ecs",
            ["Elb"] = "elasticloadbalancing",
            ["SecretsManager"] = "secretsmanager",
            ["CloudFront"] = "cloudfront",
            ["CloudWatch"] = "monitoring",
            ["CodeDeploy"] = "codedeploy",
        };
        var found = new List<string>();
        foreach (var file in SourceFiles(folder).Where(f => f.EndsWith("Client.cs", StringComparison.Ordinal)))
        {
            var service = prefixes.FirstOrDefault(p => Path.GetFileName(file).StartsWith(p.Key, StringComparison.Ordinal)).Value;
            if (service is null)
                continue;
            var text = File.ReadAllText(file);
            foreach (Match call in MutatingCall().Matches(text))
                found.Add($"{service}:{call.Groups[1].Value}");
            if (text.Contains("IsReadOnly = false", StringComparison.Ordinal))
                found.AddRange(CloudFrontMutation().Matches(text).Select(m => $"{service}:{m.Groups[1].Value}"));
        }
        return found;
    }

    [GeneratedRegex("""InvokeAsync\(\s*"(\w+)"[^;]*readOnly: false""", RegexOptions.Singleline)]
    private static partial Regex MutatingCall();

    [GeneratedRegex("""new AwsRequest\(\s*"(\w+)", HttpMethod\.Post""")]
    private static partial Regex CloudFrontMutation();

    [GeneratedRegex(@"new (\w+)Request\b")]
    private static partial Regex SdkRequest();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Rewind.slnx")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no Rewind.slnx above {AppContext.BaseDirectory}");
    }
}
