using System.Net;
using System.Text;
using System.Text.Json;
using Rewind.IntegrationTests.Emulator;
using Xunit;

namespace Rewind.IntegrationTests.Cli;

/// <summary>
/// Every credential source of AWSSDK.Core's chain, end to end: the real <c>rewind doctor</c> process with a clean
/// environment, against moto with signature checking on, so only the right keys get an identity back.
/// </summary>
[Collection("signed-emulator")]
public sealed class CredentialSourceTests(SignedEmulatorFixture emulator) : IDisposable
{
    private readonly RewindProcess _rewind = new();

    [Fact]
    public async Task Environment_variables_are_used_when_no_profile_is_named()
    {
        var result = await DoctorAsync([], Keys(emulator.AccessKeyId, emulator.SecretAccessKey));

        var report = ParseSigned(result);
        Assert.Equal("environment variables", report.GetProperty("credentialSource").GetString());
        Assert.Equal(
            ["STS", "ECS", "ELBv2", "Secrets Manager", "CloudFront", "CloudWatch", "SSM", "DynamoDB"],
            report.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("service").GetString()));
        Assert.EndsWith("user/" + MotoServer.SignedUserName, report.GetProperty("arn").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_static_profile_is_used_when_named_and_wins_over_environment_variables()
    {
        _rewind.WriteAwsFile("credentials", $"""
            [static]
            aws_access_key_id = {emulator.AccessKeyId}
            aws_secret_access_key = {emulator.SecretAccessKey}
            """);
        var wrongKeys = Keys("AKIAWRONGWRONGWRONG0", "wrong");

        var result = await DoctorAsync(["--profile", "static"], wrongKeys);

        var report = ParseSigned(result);
        Assert.Equal("profile static", report.GetProperty("credentialSource").GetString());
        Assert.Equal("static", report.GetProperty("profile").GetString());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_credential_process_profile_runs_the_process_and_uses_its_keys()
    {
        var script = Path.Combine(_rewind.Home, "creds.sh");
        await File.WriteAllTextAsync(script, $$"""
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "{{emulator.AccessKeyId}}", "SecretAccessKey": "{{emulator.SecretAccessKey}}"}'
            """, TestContext.Current.CancellationToken);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _rewind.WriteAwsFile("config", $"""
            [profile proc]
            credential_process = {script}
            region = us-east-1
            """);

        var result = await DoctorAsync(["--profile", "proc"], Endpoint());

        var report = ParseSigned(result);
        Assert.Equal("credential_process of profile proc", report.GetProperty("credentialSource").GetString());
        Assert.EndsWith("user/" + MotoServer.SignedUserName, report.GetProperty("arn").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_keys_are_reported_as_a_signature_mismatch_with_the_fix()
    {
        var result = await DoctorAsync([], Keys(emulator.AccessKeyId, "not-the-secret"));

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("SignatureDoesNotMatch", line, StringComparison.Ordinal);
        Assert.Contains("check the access key and secret", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Region_precedence_is_flag_then_AWS_REGION_then_AWS_DEFAULT_REGION_then_profile()
    {
        _rewind.WriteAwsFile("config", "[default]\nregion = eu-west-3\n");
        var keys = Keys(emulator.AccessKeyId, emulator.SecretAccessKey);
        keys.Remove("AWS_REGION");

        async Task<(string Region, string Source)> RegionOf(string[] args, Dictionary<string, string> environment)
        {
            var report = ParseSigned(await DoctorAsync(args, environment));
            return (report.GetProperty("region").GetString()!, report.GetProperty("regionSource").GetString()!);
        }

        Assert.Equal(("eu-west-3", "Profile"), await RegionOf([], keys));
        Assert.Equal(("eu-north-1", "AwsDefaultRegion"), await RegionOf([], new(keys) { ["AWS_DEFAULT_REGION"] = "eu-north-1" }));
        Assert.Equal(("ap-south-1", "AwsRegion"), await RegionOf([], new(keys) { ["AWS_DEFAULT_REGION"] = "eu-north-1", ["AWS_REGION"] = "ap-south-1" }));
        Assert.Equal(("us-west-2", "Flag"), await RegionOf(["--region", "us-west-2"], new(keys) { ["AWS_REGION"] = "ap-south-1" }));
    }

    private Task<RewindResult> DoctorAsync(string[] args, Dictionary<string, string> environment) =>
        _rewind.RunAsync(["doctor", "--output", "json", .. args], environment, TestContext.Current.CancellationToken);

    private Dictionary<string, string> Endpoint() => new() { ["AWS_ENDPOINT_URL"] = emulator.Endpoint.ToString() };

    private Dictionary<string, string> Keys(string accessKeyId, string secret) => new(Endpoint())
    {
        ["AWS_ACCESS_KEY_ID"] = accessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = secret,
        ["AWS_REGION"] = EmulatorFixture.Region,
    };

    internal static JsonElement Parse(RewindResult result, bool expectOk)
    {
        Assert.True(!expectOk || result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        var report = document.RootElement.Clone();
        Assert.Equal(expectOk, report.GetProperty("ok").GetBoolean());
        return report;
    }

    /// <summary>
    /// The report of a doctor run on the signed emulator: every check passes but CloudFront's, which is a GET, and moto
    /// cannot verify the signature of a GET even when it is right (see MotoServer's notes); that one must fail with
    /// exactly SignatureDoesNotMatch, so any other problem still shows.
    /// </summary>
    internal static JsonElement ParseSigned(RewindResult result)
    {
        using var document = JsonDocument.Parse(result.Stdout);
        var report = document.RootElement.Clone();
        foreach (var check in report.GetProperty("checks").EnumerateArray())
        {
            if (check.GetProperty("service").GetString() == "CloudFront")
                Assert.True(check.GetProperty("ok").GetBoolean() || check.GetProperty("code").GetString() == "SignatureDoesNotMatch", check.ToString());
            else
                Assert.True(check.GetProperty("ok").GetBoolean(), check.ToString());
        }
        return report;
    }

    public void Dispose() => _rewind.Dispose();
}

/// <summary>Credential sources that hand out session credentials, which moto's signature check cannot verify: checked unsigned.</summary>
[Collection("emulator")]
public sealed class SessionCredentialSourceTests(EmulatorFixture emulator) : IDisposable
{
    private readonly RewindProcess _rewind = new();

    [Fact]
    public async Task An_assume_role_profile_gets_role_credentials_from_STS()
    {
        _rewind.WriteAwsFile("credentials", "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n");
        _rewind.WriteAwsFile("config", """
            [profile deployer]
            role_arn = arn:aws:iam::123456789012:role/rewind-deployer
            source_profile = base
            role_session_name = rewind-test
            region = us-east-1
            """);

        var result = await _rewind.RunAsync(
            ["doctor", "--output", "json", "--profile", "deployer"],
            new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = emulator.Endpoint.ToString() },
            TestContext.Current.CancellationToken);

        var report = CredentialSourceTests.Parse(result, expectOk: true);
        Assert.Equal("assumed role of profile deployer", report.GetProperty("credentialSource").GetString());
        Assert.Contains("assumed-role/rewind-deployer/rewind-test", report.GetProperty("arn").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Container_credentials_are_fetched_from_the_container_endpoint()
    {
        using var listener = new HttpListener();
        var port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var requests = 0;
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                Interlocked.Increment(ref requests);
                var body = Encoding.UTF8.GetBytes($$"""
                    {"AccessKeyId":"ASIACONTAINERKEY1234","SecretAccessKey":"container-secret","Token":"token","Expiration":"{{DateTime.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}}"}
                    """);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }, TestContext.Current.CancellationToken);

        var result = await _rewind.RunAsync(
            ["doctor", "--output", "json"],
            new Dictionary<string, string>
            {
                ["AWS_ENDPOINT_URL"] = emulator.Endpoint.ToString(),
                ["AWS_REGION"] = EmulatorFixture.Region,
                ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = $"http://127.0.0.1:{port}/credentials",
            },
            TestContext.Current.CancellationToken);
        listener.Stop();
        await serving;

        var report = CredentialSourceTests.Parse(result, expectOk: true);
        Assert.Equal("container credentials endpoint", report.GetProperty("credentialSource").GetString());
        Assert.EndsWith("1234", report.GetProperty("accessKeyId").GetString(), StringComparison.Ordinal);
        Assert.True(requests >= 1, "the container credentials endpoint was never asked");
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose() => _rewind.Dispose();
}
