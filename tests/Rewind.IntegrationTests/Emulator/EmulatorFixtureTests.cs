using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using Xunit;

namespace Rewind.IntegrationTests.Emulator;

public sealed class MotoServerTests
{
    [Fact]
    public async Task Server_answers_on_a_loopback_port_and_stops_by_pid()
    {
        var ct = TestContext.Current.CancellationToken;
        var server = await MotoServer.StartAsync(cancellationToken: ct);
        var pid = server.Pid;
        var port = server.Port;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"moto_server pid {pid} answered on {server.Endpoint} after {server.StartupTime.TotalMilliseconds:0} ms");
        try
        {
            Assert.Equal("127.0.0.1", server.Endpoint.Host);
            Assert.True(IsRunning(pid));
            using var http = MotoServer.CreateHttpClient();
            using var response = await http.GetAsync(new Uri(server.Endpoint, "moto-api/data.json"), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.False(IsRunning(pid));
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(
            async () => await client.ConnectAsync(IPAddress.Loopback, port, ct));
    }

    [Fact]
    public async Task Given_signature_checking_when_the_first_request_after_setup_is_wrongly_signed_then_it_is_refused()
    {
        // A fresh server: this request is the fourth action, so it proves the no-auth counter covers exactly the setup.
        var ct = TestContext.Current.CancellationToken;
        await using var server = await MotoServer.StartAsync(new MotoServerOptions { VerifySignatures = true }, ct);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"signed moto answered after {server.StartupTime.TotalMilliseconds:0} ms, setup took {server.SetupTime.TotalMilliseconds:0} ms");

        using var http = MotoServer.CreateHttpClient();
        using var response = await http.SendAsync(Requests.GetCallerIdentity(server.Endpoint, server.AccessKeyId, "sts"), ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", Requests.ErrorCode(await response.Content.ReadAsStringAsync(ct)));
    }

    [Fact]
    public async Task Given_a_bootstrap_module_and_environment_when_the_server_starts_then_the_module_ran_inside_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("rewind-moto-");
        try
        {
            var marker = Path.Combine(dir.FullName, "marker.txt");
            var module = Path.Combine(dir.FullName, "patch_moto.py");
            await File.WriteAllTextAsync(
                module,
                "import os, moto\nopen(os.environ['REWIND_BOOTSTRAP_MARKER'], 'w').write(moto.__version__)\n",
                ct);

            var options = new MotoServerOptions
            {
                PythonBootstrapModule = module,
                Environment = new Dictionary<string, string> { ["REWIND_BOOTSTRAP_MARKER"] = marker },
            };
            await using (var server = await MotoServer.StartAsync(options, ct))
            {
                Assert.True(server.Pid > 0);
            }

            Assert.Equal("5.2.1", await File.ReadAllTextAsync(marker, ct));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

[Collection("emulator")]
public sealed class EmulatorFixtureTests(EmulatorFixture emulator)
{
    [Fact]
    public async Task Given_no_signature_checking_when_a_request_carries_any_key_then_it_is_served()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(MotoServer.UncheckedAccessKeyId, emulator.AccessKeyId);

        using var http = MotoServer.CreateHttpClient();
        using var response = await http.SendAsync(Requests.GetCallerIdentity(emulator.Endpoint, emulator.AccessKeyId, "sts"), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<GetCallerIdentityResult>", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_created_user_when_the_emulator_is_reset_then_it_is_gone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = MotoServer.CreateHttpClient();
        using (var created = await http.SendAsync(Requests.Iam(emulator.Endpoint, "Action=CreateUser&UserName=reset-me"), ct))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        Assert.Contains("reset-me", await ListUsersAsync(http, ct), StringComparison.Ordinal);

        await emulator.ResetAsync(ct);

        Assert.DoesNotContain("reset-me", await ListUsersAsync(http, ct), StringComparison.Ordinal);
    }

    private async Task<string> ListUsersAsync(HttpClient http, CancellationToken ct)
    {
        using var response = await http.SendAsync(Requests.Iam(emulator.Endpoint, "Action=ListUsers"), ct);
        return await response.Content.ReadAsStringAsync(ct);
    }
}

[Collection("signed-emulator")]
public sealed class SignedEmulatorFixtureTests(SignedEmulatorFixture emulator)
{
    [Fact]
    public void Given_signature_checking_then_the_setup_created_an_access_key()
    {
        Assert.StartsWith("AKIA", emulator.AccessKeyId, StringComparison.Ordinal);
        Assert.NotEqual(MotoServer.UncheckedAccessKeyId, emulator.AccessKeyId);
        Assert.Equal(40, emulator.SecretAccessKey.Length);
    }

    [Fact]
    public async Task Given_signature_checking_when_a_request_is_wrongly_signed_then_it_is_refused_with_403_SignatureDoesNotMatch()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = MotoServer.CreateHttpClient();
        using var response = await http.SendAsync(Requests.GetCallerIdentity(emulator.Endpoint, emulator.AccessKeyId, "sts"), ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        // The same XML for every protocol, served as text/html.
        Assert.Equal("SignatureDoesNotMatch", Requests.ErrorCode(await response.Content.ReadAsStringAsync(ct)));
    }

    [Fact]
    public async Task Given_signature_checking_when_a_json_service_request_is_wrongly_signed_then_the_error_is_still_xml()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = MotoServer.CreateHttpClient();
        using var request = Requests.WronglySigned(emulator.Endpoint, emulator.AccessKeyId, "ecs", new StringContent("{}"));
        request.Content!.Headers.ContentType = new("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters");
        using var response = await http.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", Requests.ErrorCode(await response.Content.ReadAsStringAsync(ct)));
    }

    [Fact]
    public async Task Given_signature_checking_when_the_key_is_unknown_then_it_is_refused_with_403_InvalidClientTokenId()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = MotoServer.CreateHttpClient();
        using var response = await http.SendAsync(Requests.GetCallerIdentity(emulator.Endpoint, "AKIAUNKNOWNKEY000000", "sts"), ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("InvalidClientTokenId", Requests.ErrorCode(await response.Content.ReadAsStringAsync(ct)));
    }

    [Fact]
    public async Task Given_signature_checking_when_a_request_is_unsigned_then_it_is_not_served()
    {
        // Without an Authorization header moto routes the request to S3, which then fails on the missing header:
        // 500 with an HTML page, not a 403 (see the notes at the top of MotoServer.cs).
        var ct = TestContext.Current.CancellationToken;
        using var http = MotoServer.CreateHttpClient();
        using var content = new FormUrlEncodedContent([new("Action", "GetCallerIdentity"), new("Version", "2011-06-15")]);
        using var response = await http.PostAsync(emulator.Endpoint, content, ct);

        Assert.False(response.IsSuccessStatusCode);
        Assert.DoesNotContain("GetCallerIdentityResult", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_signature_checking_when_a_reset_is_asked_then_it_is_refused_to_keep_the_key()
    {
        var ct = TestContext.Current.CancellationToken;
        await Assert.ThrowsAsync<InvalidOperationException>(() => emulator.ResetAsync(ct));
    }

    [Fact]
    public async Task Given_signature_checking_when_the_aws_cli_signs_with_the_setup_key_then_sts_and_ecs_answer()
    {
        var ct = TestContext.Current.CancellationToken;
        var aws = MotoServer.FindOnPath("aws");
        if (aws is null)
        {
            Assert.Skip("The aws CLI is not on PATH; the positive signed path needs a SigV4 signer.");
        }

        var identity = await AwsCli.RunAsync(aws, emulator, emulator.SecretAccessKey, ["sts", "get-caller-identity"], ct);
        Assert.True(identity.ExitCode == 0, identity.StdErr);
        Assert.Contains($"arn:aws:iam::123456789012:user/{MotoServer.SignedUserName}", identity.StdOut, StringComparison.Ordinal);

        var clusters = await AwsCli.RunAsync(aws, emulator, emulator.SecretAccessKey, ["ecs", "list-clusters"], ct);
        Assert.True(clusters.ExitCode == 0, clusters.StdErr);
        Assert.Contains("clusterArns", clusters.StdOut, StringComparison.Ordinal);

        var wrong = await AwsCli.RunAsync(aws, emulator, "wrong" + emulator.SecretAccessKey[5..], ["sts", "get-caller-identity"], ct);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("SignatureDoesNotMatch", wrong.StdErr, StringComparison.Ordinal);
    }
}

internal static class Requests
{
    /// <summary>STS GetCallerIdentity with a well-formed SigV4 Authorization header whose signature is wrong.</summary>
    public static HttpRequestMessage GetCallerIdentity(Uri endpoint, string accessKeyId, string service) =>
        WronglySigned(
            endpoint,
            accessKeyId,
            service,
            new FormUrlEncodedContent([new("Action", "GetCallerIdentity"), new("Version", "2011-06-15")]));

    /// <summary>An IAM query call (signatures unchecked fixture only).</summary>
    public static HttpRequestMessage Iam(Uri endpoint, string form) =>
        WronglySigned(
            endpoint,
            MotoServer.UncheckedAccessKeyId,
            "iam",
            new StringContent(form + "&Version=2010-05-08", null, "application/x-www-form-urlencoded"));

    public static HttpRequestMessage WronglySigned(Uri endpoint, string accessKeyId, string service, HttpContent content)
    {
        var now = DateTime.UtcNow;
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        request.Headers.TryAddWithoutValidation("X-Amz-Date", now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{now.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}/us-east-1/{service}/aws4_request, " +
            "SignedHeaders=content-type;host;x-amz-date, Signature=" + new string('0', 64));
        return request;
    }

    /// <summary>The first Error/Code in moto's auth error body (&lt;ErrorResponse&gt;&lt;Errors&gt;&lt;Error&gt;...).</summary>
    public static string ErrorCode(string body) =>
        XDocument.Parse(body).Descendants("Error").Elements("Code").First().Value;
}

internal static class AwsCli
{
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(
        string aws, EmulatorFixture emulator, string secret, IReadOnlyList<string> command, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(aws)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in command.Concat(["--endpoint-url", emulator.Endpoint.ToString(), "--region", EmulatorFixture.Region, "--output", "json"]))
        {
            startInfo.ArgumentList.Add(arg);
        }

        var missing = Path.Combine(Path.GetTempPath(), "rewind-no-aws-config-" + Guid.NewGuid().ToString("N"));
        var env = startInfo.Environment;
        foreach (var name in new[] { "AWS_PROFILE", "AWS_SESSION_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy" })
        {
            env.Remove(name);
        }

        env["AWS_ACCESS_KEY_ID"] = emulator.AccessKeyId;
        env["AWS_SECRET_ACCESS_KEY"] = secret;
        env["AWS_CONFIG_FILE"] = missing;
        env["AWS_SHARED_CREDENTIALS_FILE"] = missing;
        env["AWS_PAGER"] = string.Empty;
        env["AWS_EC2_METADATA_DISABLED"] = "true";

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
